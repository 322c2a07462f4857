"""The procedure builder: procedure administrators design, preview, publish and close procedures.

Every edit of the form goes through `procedure_definition_save`, which validates the whole form and
refuses an edit made on an outdated page (the revision it was made on travels with each form)."""

import json
import re
import unicodedata
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guichet.accounts.models import Organisation
from guichet.procedures import editing
from guichet.procedures.assisted import (
    OPERATOR_LABELS,
    condition_describe,
    condition_from_rows,
    condition_to_rows,
    formula_compose,
    formula_decompose,
)
from guichet.procedures.definition import DefinitionInvalid, FieldType
from guichet.procedures.editing import EditError
from guichet.procedures.exchange import procedure_export
from guichet.procedures.selectors import organisation_ids_administered_by, procedures_administered_by
from guichet.procedures.services import (
    DraftConflict,
    procedure_clone,
    procedure_close,
    procedure_create,
    procedure_definition_save,
    procedure_publish,
    procedure_reopen,
    procedure_settings_update,
)

from . import forms
from .access import administered_procedure, administrator_required

STARTER_DEFINITION = {"pages": [{"id": "demande", "title": "Votre demande", "fields": []}]}


def _organisations(request):
    return Organisation.objects.filter(pk__in=organisation_ids_administered_by(request.user)).order_by("name")


def _save(request, procedure, definition: dict[str, Any], *, change: str, success: str) -> bool:
    """Save an edited form; on a problem, tell the administrator where it is and keep the old form."""
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    try:
        procedure_definition_save(
            actor=request.user, procedure=procedure, definition=definition, revision=revision, change=change
        )
    except DraftConflict as error:
        messages.error(request, str(error))
        return False
    except DefinitionInvalid as error:
        for path, message in error.errors:
            messages.error(request, f"{editing.place_label(definition, path)} : {message}")
        return False
    messages.success(request, success)
    return True


def _form_page(request, procedure, form, *, heading: str, submit: str, **extra):
    """A builder page made of one form (creation, settings, cloning, a page's title)."""
    context = {"procedure": procedure, "form": form, "heading": heading, "submit": submit, **extra}
    return render(request, "admin_procedures/form_page.html", context)


# Procedures ------------------------------------------------------------------------------------


@administrator_required
def procedure_list(request):
    procedures = procedures_administered_by(request.user).annotate(dossier_count=Count("dossiers"))
    return render(request, "admin_procedures/list.html", {"procedures": procedures})


@administrator_required
def procedure_create_view(request):
    form = forms.ProcedureCreateForm(request.POST or None, organisations=_organisations(request))
    if request.method == "POST" and form.is_valid():
        procedure = procedure_create(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            title=form.cleaned_data["title"],
            slug=form.cleaned_data["slug"],
            summary=form.cleaned_data["summary"],
            definition=STARTER_DEFINITION,
        )
        messages.success(request, "La démarche est créée en brouillon : construisez maintenant son formulaire.")
        return redirect("admin_procedures:form", procedure.slug)
    return _form_page(request, None, form, heading="Créer une démarche", submit="Créer la démarche")


@administrator_required
def procedure_overview(request, slug: str):
    procedure = administered_procedure(request, slug)
    versions = procedure.versions.select_related("published_by").order_by("-number")
    context = {
        "procedure": procedure,
        "versions": versions,
        "unpublished_changes": procedure.has_unpublished_changes,
        "dossier_count": procedure.dossiers.count(),
        "groups": procedure.instructor_groups.annotate(member_count=Count("memberships")).order_by("name"),
    }
    return render(request, "admin_procedures/overview.html", context)


_LIFECYCLE = {
    "publish": (procedure_publish, "La démarche est publiée : les nouveaux dossiers utilisent cette version."),
    "close": (procedure_close, "La démarche est close : elle n’accepte plus de nouveaux dossiers."),
    "reopen": (procedure_reopen, "La démarche est rouverte et accepte de nouveaux dossiers."),
}


@require_POST
@administrator_required
def procedure_lifecycle(request, slug: str, action: str):
    procedure = administered_procedure(request, slug)
    service, success = _LIFECYCLE[action]
    try:
        service(actor=request.user, procedure=procedure)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("admin_procedures:overview", procedure.slug)


@administrator_required
def procedure_settings(request, slug: str):
    procedure = administered_procedure(request, slug)
    form = forms.ProcedureSettingsForm(request.POST or None, instance=procedure, organisations=_organisations(request))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        procedure_settings_update(actor=request.user, procedure=administered_procedure(request, slug), **values)
        messages.success(request, "Les paramètres sont enregistrés.")
        return redirect("admin_procedures:settings", procedure.slug)
    return _form_page(request, procedure, form, heading="Paramètres", submit="Enregistrer les paramètres")


@administrator_required
def procedure_clone_view(request, slug: str):
    procedure = administered_procedure(request, slug)
    form = forms.ProcedureCloneForm(
        request.POST or None,
        organisations=_organisations(request),
        initial={"title": f"{procedure.title} (copie)", "organisation": procedure.organisation_id},
    )
    if request.method == "POST" and form.is_valid():
        clone = procedure_clone(
            actor=request.user,
            procedure=procedure,
            title=form.cleaned_data["title"],
            slug=form.cleaned_data["slug"],
            organisation=form.cleaned_data["organisation"],
        )
        messages.success(request, f"« {clone.title} » est créée en brouillon à partir de « {procedure.title} ».")
        return redirect("admin_procedures:overview", clone.slug)
    return _form_page(request, procedure, form, heading="Cloner la démarche", submit="Cloner")


@administrator_required
def procedure_export_view(request, slug: str):
    procedure = administered_procedure(request, slug)
    response = HttpResponse(
        json.dumps(procedure_export(procedure), ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{procedure.slug}.json"'
    return response


# The form editor -------------------------------------------------------------------------------


def _editor_items(fields: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    for field in fields:
        kind = FieldType(field["type"])
        items.append(
            {
                "field": field,
                "type_label": editing.FIELD_TYPE_LABELS[kind],
                "condition": condition_describe(field.get("condition"), fields_by_id=by_id),
                "is_block": kind == FieldType.BLOCK,
                "is_computed": kind == FieldType.COMPUTED,
                "children": _editor_items(field.get("fields", []), by_id) if kind == FieldType.BLOCK else [],
            }
        )
    return items


@administrator_required
def form_editor(request, slug: str):
    procedure = administered_procedure(request, slug)
    definition = procedure.draft_definition
    by_id = editing.fields_by_id(definition)
    pages = [
        {
            "page": page,
            "number": index + 1,
            "condition": condition_describe(page.get("condition"), fields_by_id=by_id),
            "items": _editor_items(page["fields"], by_id),
        }
        for index, page in enumerate(definition["pages"])
    ]
    eligibility = [
        {
            "index": index,
            "message": rule["message"],
            "condition": condition_describe(rule["condition"], fields_by_id=by_id),
        }
        for index, rule in enumerate(definition.get("eligibility", []))
    ]
    context = {
        "procedure": procedure,
        "pages": pages,
        "page_count": len(pages),
        "eligibility": eligibility,
        "add_form": forms.FieldAddForm(),
        "unpublished_changes": procedure.has_unpublished_changes,
    }
    return render(request, "admin_procedures/form_editor.html", context)


def _apply(action: str, definition: dict[str, Any], post) -> tuple[dict[str, Any], str, str]:
    """One editor button: the new form, a note for the audit trail and a message for the person."""
    field_id, page_id = post.get("field", ""), post.get("page", "")
    if action == "field_add":
        add = forms.FieldAddForm(post)
        if not add.is_valid():
            raise EditError("Choisissez le type du champ à ajouter.")
        kind = FieldType(add.cleaned_data["field_type"])
        new, new_id = editing.field_add(
            definition, field_type=kind, label=add.cleaned_data["label"], page_id=page_id, block_id=post.get("block")
        )
        label = editing.field_get(new, new_id)["label"]
        return new, f"field_add {new_id}", f"Le champ « {label} » est ajouté."
    if action == "page_add":
        new, new_id = editing.page_add(definition, title=post.get("title", ""))
        return new, f"page_add {new_id}", "La page est ajoutée à la fin du formulaire."
    if action in {"field_up", "field_down"}:
        offset = -1 if action == "field_up" else 1
        return (
            editing.field_move(definition, field_id=field_id, offset=offset),
            f"{action} {field_id}",
            "Champ déplacé.",
        )
    if action == "field_duplicate":
        new, new_id = editing.field_duplicate(definition, field_id=field_id)
        return new, f"field_duplicate {field_id}", "Le champ est dupliqué juste en dessous."
    if action == "field_delete":
        label = editing.field_get(definition, field_id)["label"]
        return editing.field_delete(definition, field_id=field_id), f"field_delete {field_id}", f"« {label} » supprimé."
    if action == "field_to_page":
        new = editing.field_move_to_page(definition, field_id=field_id, page_id=post.get("target", ""))
        return new, f"field_to_page {field_id}", "Le champ est déplacé à la fin de la page choisie."
    if action in {"page_up", "page_down"}:
        offset = -1 if action == "page_up" else 1
        return editing.page_move(definition, page_id=page_id, offset=offset), f"{action} {page_id}", "Page déplacée."
    if action == "page_duplicate":
        new, new_id = editing.page_duplicate(definition, page_id=page_id)
        return new, f"page_duplicate {page_id}", "La page est dupliquée juste après."
    if action == "page_delete":
        return editing.page_delete(definition, page_id=page_id), f"page_delete {page_id}", "La page est supprimée."
    if action == "eligibility_delete":
        new = editing.eligibility_set(definition, index=int(post.get("index", "-1")), rule=None)
        return new, "eligibility_delete", "La règle d’éligibilité est supprimée."
    raise EditError("Action inconnue.")


@require_POST
@administrator_required
def form_edit(request, slug: str):
    procedure = administered_procedure(request, slug)
    action = request.POST.get("action", "")
    try:
        definition, change, success = _apply(action, procedure.draft_definition, request.POST)
    except (EditError, ValueError) as error:
        messages.error(request, str(error) if isinstance(error, EditError) else "Cette action n’est pas valide.")
    else:
        _save(request, procedure, definition, change=change, success=success)
    anchor = request.POST.get("field") or request.POST.get("page") or ""
    return redirect(reverse("admin_procedures:form", args=[procedure.slug]) + (f"#{anchor}" if anchor else ""))


def _template_file_store(upload) -> dict[str, str]:
    name = upload.name.rsplit("/", 1)[-1][:150]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._") or "modele"
    path = default_storage.save(f"procedures/templates/{uuid.uuid4().hex}/{safe}", upload)
    return {"name": name, "path": path}


def _published_values(procedure, field_id: str) -> set[str]:
    """The option values of a field in the latest published version (answers may hold them)."""
    version = procedure.latest_version
    if version is None:
        return set()
    try:
        published = editing.field_get(version.definition, field_id)
    except EditError:
        return set()
    return {option["value"] for option in published.get("options", [])}


@administrator_required
def field_edit(request, slug: str, field_id: str):
    procedure = administered_procedure(request, slug)
    definition = procedure.draft_definition
    try:
        field = editing.field_get(definition, field_id)
    except EditError as error:
        messages.error(request, str(error))
        return redirect("admin_procedures:form", procedure.slug)
    kind = FieldType(field["type"])
    form = forms.field_settings_form(kind, field, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        settings = forms.settings_from_form(kind, form, field, published_values=_published_values(procedure, field_id))
        if form.cleaned_data.get("template_remove"):
            settings.pop("template_file", None)
        if form.cleaned_data.get("template_upload"):
            settings["template_file"] = _template_file_store(form.cleaned_data["template_upload"])
        new = editing.field_update(definition, field_id=field_id, settings=settings)
        if _save(request, procedure, new, change=f"field_update {field_id}", success="Le champ est enregistré."):
            return redirect(reverse("admin_procedures:form", args=[procedure.slug]) + f"#{field_id}")
    context = {
        "procedure": procedure,
        "field": field,
        "form": form,
        "type_label": editing.FIELD_TYPE_LABELS[kind],
        "revision": procedure.draft_revision,
        "can_have_condition": True,
    }
    return render(request, "admin_procedures/field_edit.html", context)


@administrator_required
def page_edit(request, slug: str, page_id: str):
    procedure = administered_procedure(request, slug)
    definition = procedure.draft_definition
    try:
        page = definition["pages"][editing.page_index(definition, page_id)]
    except EditError as error:
        messages.error(request, str(error))
        return redirect("admin_procedures:form", procedure.slug)
    form = forms.PageForm(request.POST or None, initial=page)
    if request.method == "POST" and form.is_valid():
        new = editing.page_update(definition, page_id=page_id, **form.cleaned_data)
        if _save(request, procedure, new, change=f"page_update {page_id}", success="La page est enregistrée."):
            return redirect(reverse("admin_procedures:form", args=[procedure.slug]) + f"#{page_id}")
    return _form_page(
        request,
        procedure,
        form,
        heading=f"Page « {page['title']} »",
        submit="Enregistrer la page",
        revision=procedure.draft_revision,
        back_url=reverse("admin_procedures:form", args=[procedure.slug]),
    )


# Conditions, eligibility, formulas -------------------------------------------------------------


def _condition_page(request, procedure, *, subject: str, condition, candidates, save, with_message=None):
    """The condition editor shared by fields, pages and eligibility rules. `save(condition, message)`
    returns the new definition; the rows offer only the fields placed before the subject."""
    by_id = {field["id"]: field for field in candidates}
    choices = [(field["id"], field["label"]) for field in candidates]
    existing = condition_to_rows(condition, fields_by_id=by_id)
    nested = existing is None
    combinator, rows = existing or ("all", [])
    initial_rows = [{"field": row.field, "op": str(row.op), "value": row.value} for row in rows]
    data = request.POST if request.method == "POST" else None
    extra = 1 if data is None and not initial_rows else 0
    if data is not None and "add_row" in data:
        data = data.copy()
        data["regle-TOTAL_FORMS"] = str(int(data.get("regle-TOTAL_FORMS", "0")) + 1)
    rows_formset = forms.ConditionRowFormSet(
        data, initial=initial_rows, prefix="regle", form_kwargs={"field_choices": choices}
    )
    rows_formset.extra = extra
    combinator_form = forms.CombinatorForm(data, initial={"combinator": combinator})
    message_form = (
        forms.EligibilityMessageForm(data, initial={"message": with_message}) if with_message is not None else None
    )
    wants_save = data is not None and "add_row" not in data
    if (
        wants_save
        and rows_formset.is_valid()
        and combinator_form.is_valid()
        and (not message_form or message_form.is_valid())
    ):
        try:
            new_condition = (
                None
                if "remove" in data
                else condition_from_rows(
                    [form.row() for form in rows_formset.forms],
                    combinator=combinator_form.cleaned_data["combinator"],
                    fields_by_id=by_id,
                )
            )
            new = save(new_condition, message_form.cleaned_data["message"] if message_form else None)
        except EditError as error:
            messages.error(request, str(error))
        else:
            if _save(request, procedure, new, change=f"condition {subject}", success="La condition est enregistrée."):
                return redirect("admin_procedures:form", procedure.slug)
    context = {
        "procedure": procedure,
        "subject": subject,
        "rows": rows_formset,
        "combinator_form": combinator_form,
        "message_form": message_form,
        "nested": condition_describe(condition, fields_by_id=by_id) if nested else "",
        "has_condition": bool(condition),
        "no_candidates": not candidates,
        "revision": procedure.draft_revision,
        "operator_labels": OPERATOR_LABELS,
    }
    return render(request, "admin_procedures/condition.html", context)


def _field_or_redirect(request, procedure, field_id):
    try:
        return editing.field_get(procedure.draft_definition, field_id)
    except EditError as error:
        messages.error(request, str(error))
        return None


@administrator_required
def field_condition(request, slug: str, field_id: str):
    procedure = administered_procedure(request, slug)
    field = _field_or_redirect(request, procedure, field_id)
    if field is None:
        return redirect("admin_procedures:form", procedure.slug)
    definition = procedure.draft_definition

    def save(condition, _message):
        return editing.field_set(definition, field_id=field_id, key="condition", value=condition)

    return _condition_page(
        request,
        procedure,
        subject=f"Condition d’affichage du champ « {field['label']} »",
        condition=field.get("condition"),
        candidates=editing.fields_before(definition, field_id=field_id),
        save=save,
    )


@administrator_required
def page_condition(request, slug: str, page_id: str):
    procedure = administered_procedure(request, slug)
    definition = procedure.draft_definition
    try:
        page = definition["pages"][editing.page_index(definition, page_id)]
    except EditError as error:
        messages.error(request, str(error))
        return redirect("admin_procedures:form", procedure.slug)

    def save(condition, _message):
        return editing.page_set_condition(definition, page_id=page_id, condition=condition)

    return _condition_page(
        request,
        procedure,
        subject=f"Condition d’affichage de la page « {page['title']} »",
        condition=page.get("condition"),
        candidates=editing.fields_before(definition, page_id=page_id),
        save=save,
    )


@administrator_required
def eligibility_rule(request, slug: str, index: int | None = None):
    procedure = administered_procedure(request, slug)
    definition = procedure.draft_definition
    rules = definition.get("eligibility", [])
    if index is not None and index >= len(rules):
        messages.error(request, "Cette règle d’éligibilité n’existe plus.")
        return redirect("admin_procedures:form", procedure.slug)
    rule = rules[index] if index is not None else {"condition": None, "message": ""}

    def save(condition, message):
        if condition is None:
            if index is None:
                raise EditError("Ajoutez au moins une règle : elle dit quand le dossier ne peut pas être déposé.")
            return editing.eligibility_set(definition, index=index, rule=None)
        return editing.eligibility_set(definition, index=index, rule={"condition": condition, "message": message})

    return _condition_page(
        request,
        procedure,
        subject="Règle d’éligibilité : le dépôt est bloqué quand…",
        condition=rule["condition"],
        candidates=editing.fields_before(definition, page_id="\0"),  # every field
        save=save,
        with_message=rule["message"],
    )


@administrator_required
def field_formula(request, slug: str, field_id: str):
    procedure = administered_procedure(request, slug)
    field = _field_or_redirect(request, procedure, field_id)
    if field is None or field["type"] != FieldType.COMPUTED:
        return redirect("admin_procedures:form", procedure.slug)
    definition = procedure.draft_definition
    candidates = editing.fields_before(definition, field_id=field_id)
    choices = [(candidate["id"], candidate["label"]) for candidate in candidates]
    spec = formula_decompose(field.get("formula", ""))
    initial = {"operation": spec.operation, "decimals": spec.decimals} if spec else {}
    initial_operands = (
        [
            {
                "source": f"field:{o.value}" if o.kind == "field" else o.kind,
                "value": "" if o.kind == "field" else o.value,
            }
            for o in spec.operands
        ]
        if spec and field.get("formula") != "0"
        else []
    )
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_row" in data:
        data = data.copy()
        data["element-TOTAL_FORMS"] = str(int(data.get("element-TOTAL_FORMS", "0")) + 1)
    operands = forms.OperandFormSet(
        data, initial=initial_operands, prefix="element", form_kwargs={"field_choices": choices}
    )
    operands.extra = 2 if data is None and not initial_operands else 0
    form = forms.FormulaForm(data, initial=initial)
    if data is not None and "add_row" not in data and form.is_valid() and operands.is_valid():
        try:
            formula = formula_compose(forms.formula_spec(form, operands))
        except EditError as error:
            messages.error(request, str(error))
        else:
            new = editing.field_set(definition, field_id=field_id, key="formula", value=formula)
            if _save(request, procedure, new, change=f"formula {field_id}", success="Le calcul est enregistré."):
                return redirect(reverse("admin_procedures:form", args=[procedure.slug]) + f"#{field_id}")
    context = {
        "procedure": procedure,
        "field": field,
        "form": form,
        "operands": operands,
        "advanced": field.get("formula") if spec is None else "",
        "no_candidates": not candidates,
        "revision": procedure.draft_revision,
    }
    return render(request, "admin_procedures/formula.html", context)
