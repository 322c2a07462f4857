"""The acts of a procedure: its administrators write the receipt, the acceptance act and the
refusal letter in the restricted template language, see them on a sample dossier (HTML, and the
PDF as issued, marked "spécimen"), and save them only when they are free of errors."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from guichet.documents.content import sample_context, template_text
from guichet.documents.models import act_code_new
from guichet.documents.rendering import ActLayout, act_pdf
from guichet.documents.services import (
    act_template_reset,
    act_template_save,
    procedure_field_ids,
    procedure_template_form,
)
from guichet.documents.template_limits import TemplateTooCostly
from guichet.documents.templating import (
    FUNCTIONS,
    NAMESPACES,
    SCALARS,
    TemplateInvalid,
    template_html,
)
from guichet.dossiers.models import ActKind

from .access import administered_procedure, administrator_required

KINDS = {"accuse-reception": ActKind.RECEIPT, "acceptation": ActKind.ACCEPTANCE, "refus": ActKind.REFUSAL}
SLUGS = {kind: slug for slug, kind in KINDS.items()}


class ActTemplateForm(forms.Form):
    title = forms.CharField(label="Titre de l’acte", max_length=200)
    body = forms.CharField(
        label="Texte",
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "true", "class": "fr-text--sm"}),
        help_text="Mise en forme : **gras**, *italique*, listes (« - » en début de ligne), titres (« ## »). "
        "Les balises entre {{ }} sont remplacées par les valeurs du dossier.",
        max_length=50_000,
    )
    signatory_name = forms.CharField(
        label="Nom du signataire (facultatif)",
        required=False,
        max_length=200,
        help_text="Sans nom, l’acte d’une décision est signé par l’instructeur qui l’a prise, "
        "l’accusé de réception par l’administration.",
    )
    signatory_title = forms.CharField(label="Qualité du signataire (facultatif)", required=False, max_length=200)


def _kind(kind_slug: str) -> ActKind:
    if kind_slug not in KINDS:
        raise Http404("Ce type d’acte n’existe pas.")
    return KINDS[kind_slug]


def _tags() -> list[tuple[str, str]]:
    tags = [(f"{{{{ {name}.{attr} }}}}", text) for name, attrs in NAMESPACES.items() for attr, text in attrs.items()]
    tags += [(f"{{{{ {name} }}}}", text) for name, text in SCALARS.items()]
    tags += [('{{ reponse("identifiant") }}', FUNCTIONS["reponse"])]
    return tags


@administrator_required
def acts_overview(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = administered_procedure(request, slug)
    kinds = [
        {"kind": kind, "slug": SLUGS[kind], "text": template_text(procedure, kind)}
        for kind in (ActKind.RECEIPT, ActKind.ACCEPTANCE, ActKind.REFUSAL)
    ]
    return render(request, "admin_procedures/acts.html", {"procedure": procedure, "kinds": kinds})


@administrator_required
def act_template_edit(request: HttpRequest, slug: str, kind_slug: str) -> HttpResponse:
    procedure = administered_procedure(request, slug)
    kind = _kind(kind_slug)
    text = template_text(procedure, kind)
    initial = {
        "title": text.title,
        "body": text.body,
        "signatory_name": text.signatory_name,
        "signatory_title": text.signatory_title,
    }
    form = ActTemplateForm(request.POST or None, initial=initial)
    problems, preview_html, status = [], None, 200
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            act_template_save(actor=request.user, procedure=procedure, kind=kind, **values)
        except TemplateInvalid as error:
            problems, status = error.problems, 400
        else:
            messages.success(request, f"Le modèle « {values['title']} » est enregistré.")
            return redirect("admin_procedures:act_edit", procedure.slug, kind_slug)
    elif request.method == "POST":
        status = 400
    if not problems and status == 200:
        sample = sample_context(
            procedure,
            procedure_template_form(procedure),
            kind=kind,
            signatory_name=text.signatory_name,
            signatory_title=text.signatory_title,
        )
        try:
            preview_html = mark_safe(template_html(text.body, sample))  # noqa: S308 (markdown-it escapes)
        except TemplateTooCostly as error:  # a template saved before its bounds were checked
            messages.error(request, f"Ce modèle, enregistré avant les limites actuelles, est à corriger : {error}.")
    context = {
        "procedure": procedure,
        "kind": kind,
        "kind_slug": kind_slug,
        "form": form,
        "problems": problems,
        "is_default": text.is_default,
        "preview_html": preview_html,
        "tags": _tags(),
        "field_ids": sorted(procedure_field_ids(procedure)),
    }
    return render(request, "admin_procedures/act_edit.html", context, status=status)


@administrator_required
@require_POST
def act_template_reset_view(request: HttpRequest, slug: str, kind_slug: str) -> HttpResponse:
    procedure = administered_procedure(request, slug)
    act_template_reset(actor=request.user, procedure=procedure, kind=_kind(kind_slug))
    messages.success(request, "Le texte par défaut est rétabli.")
    return redirect("admin_procedures:act_edit", procedure.slug, kind_slug)


@administrator_required
def act_template_specimen(request: HttpRequest, slug: str, kind_slug: str) -> HttpResponse:
    """The saved template as a PDF on a sample dossier, marked "spécimen" and not sealed."""
    procedure = administered_procedure(request, slug)
    kind = _kind(kind_slug)
    text = template_text(procedure, kind)
    sample = sample_context(
        procedure,
        procedure_template_form(procedure),
        kind=kind,
        signatory_name=text.signatory_name,
        signatory_title=text.signatory_title,
    )
    code = act_code_new()
    layout = ActLayout(
        title=text.title,
        body=text.body,
        context=sample,
        code=code,
        code_display="-".join(code[i : i + 4] for i in range(0, len(code), 4)),
        number=sample["dossier"]["numero"],
        procedure_title=procedure.title,
        organisation=procedure.organisation,
        signatory_name=sample["signataire"]["nom"],
        signatory_title=sample["signataire"]["qualite"],
        act_date=sample["date_acte"],
        specimen=True,
    )
    try:
        pdf = act_pdf(layout)
    except TemplateTooCostly as error:  # a template saved before its bounds were checked
        messages.error(request, f"Le spécimen ne peut pas être produit : {error}.")
        return redirect("admin_procedures:act_edit", procedure.slug, kind_slug)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="specimen-{kind_slug}-{timezone.localdate():%Y%m%d}.pdf"'
    return response


urlpatterns = [
    path("", acts_overview, name="acts"),
    path("<slug:kind_slug>/", act_template_edit, name="act_edit"),
    path("<slug:kind_slug>/par-defaut/", act_template_reset_view, name="act_reset"),
    path("<slug:kind_slug>/specimen.pdf", act_template_specimen, name="act_specimen"),
]
