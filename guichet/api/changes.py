"""The changes feed through the API (« what changed since my cursor », dossiers/changes.py, decision
0028): a client that syncs reads the dossiers changed after its cursor, and never misses one. The
feed keeps GUICHET_API_CHANGES_RETENTION_DAYS of changes: an older cursor answers 410, with the
cursor to follow once the client has listed every dossier again (decision 0030)."""

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from guichet.dossiers.changes import CursorExpired, cursor_of, cursor_read, dossier_changes_after

from .dossiers import DossierSummary, _dossiers_readable, _invalid, _listed, _next_url, _summaries
from .errors import ErrorOut, examples, responses
from .principals import principal_of

router = Router(tags=["dossiers"])


class ChangesPage(Schema):
    dossiers: list[DossierSummary] = Field(
        description="Les dossiers changés après le curseur, chacun une fois, tel qu’il est maintenant, "
        "dans l’ordre de leur dernier changement."
    )
    cursor: str = Field(description="À passer en `since` à l’appel suivant : rien de ce qui précède ne sera relu.")
    more: bool = Field(description="D’autres changements attendent déjà : rappelez aussitôt avec `cursor`.")
    next: str = Field(description="L’adresse de l’appel suivant.")


class CursorExpiredOut(ErrorOut):
    model_config = examples(
        {
            "detail": "Ce curseur est trop ancien : le flux ne garde les changements que 90 jours, …",
            "errors": None,
            "cursor": "djEuMTIzNDU",
        }
    )

    cursor: str = Field(
        description="Le curseur à garder pour reprendre le flux une fois tous les dossiers relus "
        "(`GET /api/v1/dossiers`, page après page) : un changement écrit pendant cette relecture vient après lui."
    )


def _expired_detail(expired: CursorExpired) -> str:
    days = settings.GUICHET_API_CHANGES_RETENTION_DAYS
    why = (
        "Ce curseur est au-delà de la fin du flux (il n’a pas été donné par cette plateforme, ou ses données "
        "ont été restaurées depuis)."
        if expired.unknown
        else f"Ce curseur est trop ancien : le flux ne garde les changements que {days} jours, et certains qui le "
        "suivaient ne sont plus gardés."
    )
    return (
        f"{why} Gardez le `cursor` de cette réponse, relisez tous les dossiers (GET /api/v1/dossiers, "
        "jusqu’à la dernière page), puis reprenez le flux avec ce `cursor`."
    )


@router.get(
    "/dossiers/changes",
    response={**responses(ChangesPage), 410: CursorExpiredOut},
    summary="Les dossiers changés depuis un curseur",
    description="Pour synchroniser : le premier appel sans `since` lit les changements gardés ; chaque réponse "
    "donne le `cursor` de l’appel suivant. Aucun changement n’est manqué, même écrit pendant la lecture : un "
    "changement validé après une réponse vient toujours après son curseur. Le flux garde les changements "
    "`GUICHET_API_CHANGES_RETENTION_DAYS` jours (90 par défaut) : un curseur plus ancien, ou au-delà de la fin "
    "du flux (des données restaurées), répond 410, avec le `cursor` d’où reprendre après avoir relu la liste "
    "complète des dossiers.",
)
def dossier_changes(
    request: HttpRequest,
    since: str = Query("", max_length=200, description="Le `cursor` de la réponse précédente."),  # noqa: B008
    limit: int = Query(100, ge=1, le=500, description="Au plus tant de changements lus par appel."),  # noqa: B008
):
    principal = principal_of(request)
    dossiers = _dossiers_readable(principal)
    seq = cursor_read(since) if since else 0
    if seq is None:
        raise _invalid("since", "Ce curseur n’est pas valide : reprenez avec celui de la dernière réponse.")
    try:
        page = dossier_changes_after(seq, dossiers=dossiers, limit=limit, from_start=not since)
    except CursorExpired as expired:
        return Status(410, {"detail": _expired_detail(expired), "cursor": cursor_of(expired.resume)})
    # Each dossier once, where it changed last in the page, as it is now.
    last_change: dict[int, int] = {}
    for rank, change in enumerate(page.changes):
        last_change[change.dossier_id] = rank
    ordered = sorted(last_change, key=last_change.__getitem__)
    found = {dossier.pk: dossier for dossier in _listed(dossiers.filter(pk__in=ordered))}
    cursor = cursor_of(page.seq)
    return {
        "dossiers": _summaries([found[pk] for pk in ordered if pk in found]),
        "cursor": cursor,
        "more": page.more,
        "next": _next_url(request, since=cursor),
    }
