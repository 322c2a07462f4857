from guichet.core.prepared import PreparedQuery
from guichet.procedures.models import InstructorGroup

from .models import Dossier

# Read at every filing: compiled once (core/prepared.py).
_GROUP = PreparedQuery(lambda procedure, pk: InstructorGroup.objects.filter(procedure_id=procedure, pk=pk)[:1])
_DEFAULT_GROUP = PreparedQuery(
    lambda procedure: InstructorGroup.objects.filter(procedure_id=procedure, is_default=True)[:1]
)


class RoutingError(Exception):
    pass


def dossier_route(dossier: Dossier) -> InstructorGroup:
    """The instructor group that receives a newly filed dossier: the group that the procedure's
    routing rule gives for the dossier's answer to its routing field, else the default group."""
    procedure = dossier.procedure
    if procedure.routing_field:
        answer = dossier.answers.get(procedure.routing_field)
        group_id = procedure.routing_map.get(str(answer).lower() if isinstance(answer, bool) else str(answer))
        group = _GROUP.first(procedure.pk, int(group_id)) if str(group_id or "").isdigit() else None
        if group is not None:
            return group
    group = _DEFAULT_GROUP.first(procedure.pk)
    if group is None:
        raise RoutingError("Cette démarche n’a pas de groupe instructeur par défaut : le dossier ne peut être déposé.")
    return group
