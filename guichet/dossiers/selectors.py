from django.db.models import QuerySet

from guichet.accounts.models import User

from .models import Dossier


def dossiers_of_applicant(user: User) -> QuerySet[Dossier]:
    """The dossiers an applicant sees: their own, and only theirs."""
    return Dossier.objects.filter(applicant=user).select_related("procedure")


def dossier_for_applicant(user: User, pk: int) -> Dossier:
    """One dossier of the applicant; raises Dossier.DoesNotExist for anyone else's."""
    return dossiers_of_applicant(user).get(pk=pk)
