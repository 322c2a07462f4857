from django.db.models import QuerySet

from .models import Organisation, OrganisationRole, User


def organisations_administered_by(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        roles__user=user, roles__role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    ).distinct()


def user_has_role(user: User, role: OrganisationRole.Role) -> bool:
    return user.is_authenticated and OrganisationRole.objects.filter(user=user, role=role).exists()
