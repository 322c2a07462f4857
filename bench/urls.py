from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """The baseline: a Django view that does nothing, behind the same middleware."""
    return HttpResponse("ok")


urlpatterns = [path("__bench__/bare/", bare), path("", include("config.urls"))]
