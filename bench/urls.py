from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from guichet.dossiers.models import Dossier

BASELINE_TABLE = "bench_baseline_row"


def bare(request):
    """The baseline of the in-process figures: a Django view that does nothing, behind the same
    middleware."""
    return HttpResponse("ok")


@require_POST
def insert_one_row(request):
    """The baseline of the load benchmark: a signed-in POST (session, CSRF check, user) that inserts
    one row in a transaction, behind the same middleware and server as the applicant's flow."""
    if not request.user.is_authenticated:
        return HttpResponse("signed out", status=403)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (user_id, created_at) VALUES (%s, %s)",  # noqa: S608 (a constant)
            [request.user.pk, timezone.now()],
        )
    return HttpResponse("ok")


def read_one_row(request):
    """The baseline of the back office benchmark: a signed-in GET (session, user) that reads one
    dossier's number, behind the same middleware and server as the back office's pages."""
    if not request.user.is_authenticated:
        return HttpResponse("signed out", status=403)
    number = Dossier.objects.filter(pk=request.GET.get("pk", 1)).values_list("number", flat=True).first()
    return HttpResponse(number or "none")


def read_one_row_anonymous(request):
    """The baseline of the observatory benchmark: an anonymous GET that reads one dossier's number,
    behind the same middleware and server as the observatory's public pages."""
    number = Dossier.objects.filter(pk=request.GET.get("pk", 1)).values_list("number", flat=True).first()
    return HttpResponse(number or "none")


urlpatterns = [
    path("__bench__/bare/", bare),
    path("__bench__/insert/", insert_one_row),
    path("__bench__/read/", read_one_row),
    path("__bench__/read-anonymous/", read_one_row_anonymous),
    path("", include("config.urls")),
]
