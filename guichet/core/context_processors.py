from django.conf import settings


def platform(request):
    return {
        "platform_name": settings.GUICHET_PLATFORM_NAME,
        "operator_name": settings.GUICHET_OPERATOR_NAME,
    }
