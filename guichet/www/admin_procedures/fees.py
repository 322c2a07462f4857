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
    payer = forms.ChoiceField(
        label="Qui paie",
        choices=list(FEE_PAYER_LABELS.items()),
        widget=forms.RadioSelect,
        help_text=(
            "L’usager paie en ligne (PayFiP). Une entreprise ne paie pas en ligne : elle reçoit une facture "
            "électronique (Factur-X) déposée sur Chorus Pro, émise au dépôt du dossier ou à son acceptation, "
            "et annulée par un avoir si le dossier est refusé, retiré ou classé sans suite avant son paiement."
        ),
    )
    payer_siret_field = forms.ChoiceField(label="Champ SIRET de l’entreprise", required=False)
    payer_name_field = forms.ChoiceField(
        label="Champ du nom de l’entreprise",
        required=False,
        help_text="Par défaut : le champ texte dont la finalité est « Organisme ou entreprise ».",
    )
    payer_address_field = forms.ChoiceField(
        label="Champ de l’adresse de l’entreprise",
        required=False,
        help_text="Par défaut : les champs dont la finalité est l’adresse, le code postal et la commune.",
    )
    revenue_account = forms.CharField(
        label="Compte d’imputation de la recette", required=False, max_length=40, help_text="Par exemple : 7068."
    )
    revenue_label = forms.CharField(label="Libellé de la recette", required=False, max_length=200)

    def __init__(self, *args, fields_of_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer_siret_field"].choices = [("", "— Aucun —"), *fields_of_type(FieldType.SIRET)]
        self.fields["payer_name_field"].choices = [("", "— Par défaut —"), *fields_of_type(FieldType.TEXT)]
        self.fields["payer_address_field"].choices = [("", "— Par défaut —"), *fields_of_type(FieldType.ADDRESS)]


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
        "payer_name_field": fee.get("payer_name_field") or "",
        "payer_address_field": fee.get("payer_address_field") or "",
        "revenue_account": fee.get("revenue_account", ""),
        "revenue_label": fee.get("revenue_label", ""),
    }
    lines = [
        {**line, "vat_rate": format(Decimal(str(line.get("vat_rate", "0"))).normalize(), "f")}
        for line in fee.get("lines", [])
    ]
    return initial, lines


def _company_fields(values: dict) -> dict:
    """The fields naming the invoiced company, kept only when a company is charged."""
    if values["payer"] != FeePayer.COMPANY:
        return {}
    return {key: values[key] for key in ("payer_name_field", "payer_address_field") if values[key]}


def _invoice_problems(fee: dict) -> list[str]:
    """What an invoice to a company cannot carry (EN 16931, BR-O-11 to 14: outside VAT's scope or not)."""
    rates = {Decimal(line["vat_rate"]) for line in fee["lines"]}
    if fee["payer"] == FeePayer.COMPANY and len(rates) > 1 and Decimal(0) in rates:
        return ["une facture ne peut mêler des lignes sans TVA et des lignes avec TVA : choisissez l’un ou l’autre"]
    return []


@administrator_required
def procedure_fee(request, slug: str):
    procedure = administered_procedure(request, slug)
    definition = procedure.draft_definition
    fields = editing.fields_by_id(definition).values()

    def fields_of_type(kind: FieldType) -> list[tuple[str, str]]:
        return [(field["id"], field["label"]) for field in fields if field.get("type") == kind]

    initial, initial_lines = _initial(definition.get("fee") or {})
    data = request.POST if request.method == "POST" else None
    form = FeeForm(data, initial=initial, fields_of_type=fields_of_type)
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
            **_company_fields(values),
            "revenue_account": values["revenue_account"],
            "revenue_label": values["revenue_label"],
        }
        try:
            FeeDefinition.model_validate(fee)
        except ValidationError as error:
            problems = [message for _, message in located_errors(error)]
        else:
            problems = _invoice_problems(fee)
        if not problems:
            new = fee_set(definition, fee=fee)
            if _save(request, procedure, new, change="frais", success="Les frais sont enregistrés."):
                return redirect("admin_procedures:fee", procedure.slug)
    saved = definition.get("fee") or {}
    context = {
        "invoiced": saved.get("kind", FeeKind.NONE) != FeeKind.NONE and saved.get("payer") == FeePayer.COMPANY,
        "procedure": procedure,
        "form": form,
        "lines": lines,
        "problems": problems,
        "revision": procedure.draft_revision,
    }
    return render(request, "admin_procedures/fee.html", context)
