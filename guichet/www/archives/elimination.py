"""The archivist's elimination lists: those of their organisations, each with its dossiers, its
sealed PDF, and the visa to give or refuse (archives/elimination.py does the rest)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guichet.accounts.models import Organisation, OrganisationRole
from guichet.archives.elimination import (
    elimination_list_approve,
    elimination_list_of_archivist,
    elimination_list_propose,
    elimination_list_refuse,
    elimination_lists_for,
)
from guichet.archives.models import EliminationList, EliminationStatus


def _archivist_organisations(user) -> list[Organisation]:
    return list(
        Organisation.objects.filter(roles__user=user, roles__role=OrganisationRole.Role.ARCHIVIST).order_by("name")
    )


def archivist_required(view):
    """Signed-in archivists only; others are sent to sign in or refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not OrganisationRole.objects.filter(user=request.user, role=OrganisationRole.Role.ARCHIVIST).exists():
            raise PermissionDenied("Cet espace est réservé aux archivistes (rôle « Archiviste »).")
        return view(request, *args, **kwargs)

    return wrapper


def _list_of(request: HttpRequest, pk: int) -> EliminationList:
    try:
        return elimination_list_of_archivist(request.user, pk)
    except EliminationList.DoesNotExist:
        raise Http404("Ce bordereau n’existe pas ou ne relève pas de vos organisations.") from None


@archivist_required
def elimination_lists(request: HttpRequest) -> HttpResponse:
    lists = elimination_lists_for(request.user)
    return render(
        request,
        "archives/elimination_lists.html",
        {
            "awaiting": [item for item in lists if item.status == EliminationStatus.AWAITING],
            "others": [item for item in lists if item.status != EliminationStatus.AWAITING][:50],
            "organisations": _archivist_organisations(request.user),
        },
    )


@archivist_required
@require_POST
def elimination_list_new(request: HttpRequest) -> HttpResponse:
    """Draw up now the list of an organisation's dossiers that may be eliminated (the daily round
    does it too)."""
    organisation = next(
        (item for item in _archivist_organisations(request.user) if str(item.pk) == request.POST.get("organisation")),
        None,
    )
    if organisation is None:
        raise Http404("Cette organisation ne relève pas de vous.")
    created = elimination_list_propose(organisation=organisation, actor=request.user)
    if created is None:
        messages.info(request, f"Aucun dossier de « {organisation.name} » n’est à éliminer aujourd’hui.")
        return redirect("archives:elimination_lists")
    messages.success(request, f"Le bordereau n°{created.number} est établi : il attend votre visa.")
    return redirect("archives:elimination_list", pk=created.pk)


@archivist_required
def elimination_list(request: HttpRequest, pk: int) -> HttpResponse:
    item = _list_of(request, pk)
    entries = item.entries.select_related("dossier__procedure", "dossier__retention").order_by(
        "dossier__procedure__title", "dossier__number"
    )
    return render(
        request,
        "archives/elimination_list.html",
        {"list": item, "entries": entries, "tombstones": item.tombstones.count(), "error": "", "comment": ""},
    )


@archivist_required
@require_POST
def elimination_list_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = _list_of(request, pk)
    comment = request.POST.get("comment", "")[:4000]
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            elimination_list_approve(elimination_list=item, actor=request.user, comment=comment)
            messages.success(
                request,
                f"Le bordereau n°{item.number} est visé : l’élimination des dossiers est en cours.",
            )
        elif decision == "refuse":
            elimination_list_refuse(elimination_list=item, actor=request.user, comment=comment)
            messages.success(request, f"Le visa du bordereau n°{item.number} est refusé : les dossiers sont conservés.")
        else:
            raise ValidationError("Choisissez de viser ou de refuser le bordereau.")
    except ValidationError as error:
        entries = item.entries.select_related("dossier__procedure", "dossier__retention")
        return render(
            request,
            "archives/elimination_list.html",
            {"list": item, "entries": entries, "tombstones": 0, "error": " ".join(error.messages), "comment": comment},
            status=400,
        )
    return redirect("archives:elimination_list", pk=item.pk)


@archivist_required
def elimination_list_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The sealed list (« bordereau ») or the sealed visa."""
    item = _list_of(request, pk)
    field = {"bordereau": item.list_pdf, "visa": item.visa_pdf}.get(kind)
    if not field:
        raise Http404("Ce document n’existe pas (encore).")
    name = f"{item.number}.pdf" if kind == "bordereau" else f"{item.number}-visa.pdf"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")
