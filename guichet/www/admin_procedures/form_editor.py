"""The procedure builder's form editor: the working form's pages and fields, one edit per button
(procedures/editing.py), and the settings of a field or a page. Conditions, eligibility rules and
formulas have their own pages (conditions.py).

Every edit of the form goes through `procedure_definition_save`, which validates the whole form and
refuses an edit made on an outdated page (the revision it was made on travels with each form)."""

import re
import unicodedata
import uuid
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guichet.procedures import editing
from guichet.procedures.assisted import condition_describe
from guichet.procedures.definition import DefinitionInvalid, FieldType
from guichet.procedures.editing import EditError
from guichet.procedures.services import DraftConflict, procedure_definition_save

from . import forms
from .access import administered_procedure, administrator_required
from .procedures import _form_page


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


def page_of(request, definition: dict[str, Any], page_id: str) -> dict[str, Any] | None:
    """The page `page_id` of the working form, or None with the reason shown to the person."""
    try:
        return definition["pages"][editing.page_index(definition, page_id)]
    except EditError as error:
        messages.error(request, str(error))
        return None


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
    siret_fields = [
        (other["id"], other["label"])
        for page in definition.get("pages", [])
        for other in page.get("fields", [])
        if other.get("type") == FieldType.SIRET
    ]
    form = forms.field_settings_form(
        kind, field, request.POST or None, request.FILES or None, siret_fields=siret_fields
    )
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
    page = page_of(request, definition, page_id)
    if page is None:
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
