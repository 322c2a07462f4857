from guichet.procedures.models import InstructorGroup

from .models import Dossier


class RoutingError(Exception):
    pass


def dossier_route(dossier: Dossier) -> InstructorGroup:
    """The instructor group that receives a newly filed dossier: the group that the procedure's
    routing rule gives for the dossier's answer to its routing field, else the default group."""
    procedure = dossier.procedure
    groups = InstructorGroup.objects.filter(procedure_id=procedure.pk)
    if procedure.routing_field:
        answer = dossier.answers.get(procedure.routing_field)
        group_id = procedure.routing_map.get(str(answer).lower() if isinstance(answer, bool) else str(answer))
        group = groups.filter(pk=group_id).first() if group_id else None
        if group is not None:
            return group
    group = groups.filter(is_default=True).first()
    if group is None:
        raise RoutingError("Cette démarche n’a pas de groupe instructeur par défaut : le dossier ne peut être déposé.")
    return group
