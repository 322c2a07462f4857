from guichet.dossiers.models import Dossier

from .models import InstructorGroup


class RoutingError(Exception):
    pass


def dossier_route(dossier: Dossier) -> InstructorGroup:
    """The instructor group that receives a newly filed dossier: for now the procedure's default
    group; routing rules on the answers come with the back office."""
    group = InstructorGroup.objects.filter(procedure_id=dossier.procedure_id, is_default=True).first()
    if group is None:
        raise RoutingError("Cette démarche n’a pas de groupe instructeur par défaut : le dossier ne peut être déposé.")
    return group
