"""The builder's settings of a field's data source (« Dites-le-nous une fois », decision 0032): which
datum fills it (API Entreprise from a SIRET field of the form, API Particulier from the applicant's
FranceConnect identity with the consent text). The tokens are not here: they belong to the
organisation (Django administration, « Accès aux données de l'État »)."""

from typing import Any

from django import forms

from guichet.procedures.definition import FieldType
from guichet.procedures.field_sources import DATUM_TYPES, PROVIDER_DATA, SourceProvider

NAMES = ("source_datum", "source_siret_field", "source_consent")


def _choices(kind: FieldType) -> list[tuple[str, Any]]:
    groups = []
    for provider, data in PROVIDER_DATA.items():
        options = [(f"{provider}:{datum}", label) for datum, label in data.items() if kind in DATUM_TYPES[datum]]
        if options:
            groups.append(
                ("API Entreprise" if provider == SourceProvider.API_ENTREPRISE else "API Particulier", options)
            )
    return groups


def source_settings_fields(kind: FieldType, siret_fields: list[tuple[str, str]]) -> dict[str, forms.Field]:
    """The source's controls for a field of type `kind` (none for types no datum fills);
    `siret_fields`: the form's SIRET fields, (id, label)."""
    groups = _choices(kind)
    if not groups:
        return {}
    return {
        "source_datum": forms.ChoiceField(
            label="Donnée récupérée auprès d’une administration (facultatif)",
            choices=[("", "Aucune : l’usager la saisit"), *groups],
            required=False,
            help_text="« Dites-le-nous une fois » : l’usager n’a pas à donner ce que l’administration détient déjà. "
            "Si la source ne répond pas, il saisit la donnée et l’instructeur en est informé.",
        ),
        "source_siret_field": forms.ChoiceField(
            label="API Entreprise : champ SIRET de l’établissement",
            choices=[("", "—"), *siret_fields],
            required=False,
        ),
        "source_consent": forms.CharField(
            label="API Particulier : texte du consentement demandé à l’usager",
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Par exemple : « J’accepte que la mairie obtienne mon quotient familial auprès de la CAF "
            "ou de la MSA pour calculer le tarif de la cantine. »",
        ),
    }


def source_initial(field: dict[str, Any]) -> dict[str, str]:
    source = field.get("source") or {}
    if not source:
        return {}
    return {
        "source_datum": f"{source['provider']}:{source['datum']}",
        "source_siret_field": source.get("siret_field") or "",
        "source_consent": source.get("consent") or "",
    }


def source_from_settings(data: dict[str, Any]) -> dict[str, Any] | None:
    """Take the source's controls out of `data` (the settings form's values) and give the field's
    `source`, or None; the definition's checks then say what is missing, at its place."""
    datum, siret_field, consent = (data.pop(name, "") or "" for name in NAMES)
    if not datum:
        return None
    provider, _, name = datum.partition(":")
    source: dict[str, Any] = {"provider": provider, "datum": name}
    if provider == SourceProvider.API_ENTREPRISE:
        source["siret_field"] = siret_field or None
    else:
        source["consent"] = consent.strip()
    return source
