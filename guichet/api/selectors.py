from django.db.models import QuerySet

from guichet.accounts.models import User

from .models import ApiToken


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
