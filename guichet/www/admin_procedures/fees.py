"""The builder's page of a procedure's fee (procedures/fees.py): none, a fixed amount or one computed
from the answers, in lines; when it is due; who is charged; the revenue account. Saved in the working
form, so the fee is published with the next version."""

import re
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.shortcuts import redirect, render
from pydantic import ValidationError

from guichet.procedures import editing
from guichet.procedures.definition import FieldType, located_errors
from guichet.procedures.fees import (
    FEE_KIND_LABELS,
    FEE_MOMENT_LABELS,
    FEE_PAYER_LABELS,
    FeeDefinition,
    FeeKind,
    FeePayer,
    fee_set,
)

from .access import administered_procedure, administrator_required
from .form_editor import _save

_PLAIN_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
VAT_RATES = [("0", "Pas de TVA"), ("2.1", "2,1 %"), ("5.5", "5,5 %"), ("10", "10 %"), ("20", "20 %")]


def _formula(value: str) -> str:
    """A French number (12,50) as a formula reads it (12.50); a formula as it is."""
    value = value.strip()
    return value.replace(",", ".") if _PLAIN_NUMBER.fullmatch(value) else value


class FeeForm(forms.Form):
    kind = forms.ChoiceField(label="Frais", choices=list(FEE_KIND_LABELS.items()), widget=forms.RadioSelect)
    moment = forms.ChoiceField(
        label="Moment du paiement", choices=list(FEE_MOMENT_LABELS.items()), widget=forms.RadioSelect
    )
    payer = forms.ChoiceField(label="Qui paie", choices=list(FEE_PAYER_LABELS.items()), widget=forms.RadioSelect)
    payer_siret_field = forms.ChoiceField(label="Champ SIRET de l’entreprise", required=False)
    revenue_account = forms.CharField(
        label="Compte d’imputation de la recette", required=False, max_length=40, help_text="Par exemple : 7068."
    )
    revenue_label = forms.CharField(label="Libellé de la recette", required=False, max_length=200)

    def __init__(self, *args, siret_fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer_siret_field"].choices = [("", "— Aucun —"), *siret_fields]


class FeeLineForm(forms.Form):
    label = forms.CharField(label="Objet", required=False, max_length=200)
    unit_price = forms.CharField(
        label="Prix unitaire (€, hors taxe)",
        required=False,
        max_length=500,
        help_text="Un montant (12,50) ou, pour un montant calculé, une formule sur les réponses (surface * 2).",
    )
    quantity = forms.CharField(label="Quantité", required=False, max_length=500, initial="1")
    vat_rate = forms.ChoiceField(label="TVA", choices=VAT_RATES, required=False)

    def line(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("label") and not data.get("unit_price"):
            return None
        return {
            "label": data.get("label") or "",
            "unit_price": _formula(data.get("unit_price") or ""),
            "quantity": _formula(data.get("quantity") or "1"),
            "vat_rate": data.get("vat_rate") or "0",
        }


FeeLineFormSet = formset_factory(FeeLineForm, extra=1, max_num=50, absolute_max=50)


def _initial(fee: dict) -> tuple[dict, list[dict]]:
    initial = {
        "kind": fee.get("kind", FeeKind.NONE),
        "moment": fee.get("moment", "before_filing"),
        "payer": fee.get("payer", FeePayer.APPLICANT),
        "payer_siret_field": fee.get("payer_siret_field") or "",
        "revenue_account": fee.get("revenue_account", ""),
        "revenue_label": fee.get("revenue_label", ""),
    }
    lines = [
        {**line, "vat_rate": format(Decimal(str(line.get("vat_rate", "0"))).normalize(), "f")}
        for line in fee.get("lines", [])
    ]
    return initial, lines


@administrator_required
def procedure_fee(request, slug: str):
    procedure = administered_procedure(request, slug)
    definition = procedure.draft_definition
    siret_fields = [
        (field["id"], field["label"])
        for field in editing.fields_by_id(definition).values()
        if field.get("type") == FieldType.SIRET
    ]
    initial, initial_lines = _initial(definition.get("fee") or {})
    data = request.POST if request.method == "POST" else None
    form = FeeForm(data, initial=initial, siret_fields=siret_fields)
    lines = FeeLineFormSet(data, initial=initial_lines, prefix="ligne")
    problems: list[str] = []
    if data is not None and form.is_valid() and lines.is_valid():
        values = form.cleaned_data
        fee = {
            "kind": values["kind"],
            "lines": [line for line in (row.line() for row in lines.forms) if line] if values["kind"] != "none" else [],
            "moment": values["moment"],
            "payer": values["payer"],
            "payer_siret_field": values["payer_siret_field"] or None,
            "revenue_account": values["revenue_account"],
            "revenue_label": values["revenue_label"],
        }
        try:
            FeeDefinition.model_validate(fee)
        except ValidationError as error:
            problems = [message for _, message in located_errors(error)]
        else:
            new = fee_set(definition, fee=fee)
            if _save(request, procedure, new, change="frais", success="Les frais sont enregistrés."):
                return redirect("admin_procedures:fee", procedure.slug)
    context = {
        "procedure": procedure,
        "form": form,
        "lines": lines,
        "problems": problems,
        "revision": procedure.draft_revision,
    }
    return render(request, "admin_procedures/fee.html", context)
