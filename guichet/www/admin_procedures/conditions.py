"""The builder's assisted pages: the display conditions of fields and pages, the eligibility rules,
and the formulas of computed fields, built from lists (procedures/assisted.py) that offer only the
fields placed before the one being edited."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from guichet.procedures import editing
from guichet.procedures.assisted import (
    OPERATOR_LABELS,
    condition_describe,
    condition_from_rows,
    condition_to_rows,
    formula_compose,
    formula_decompose,
)
from guichet.procedures.definition import FieldType
from guichet.procedures.editing import EditError

from . import forms
from .access import administered_procedure, administrator_required
from .form_editor import _save, page_of


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
    page = page_of(request, definition, page_id)
    if page is None:
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
