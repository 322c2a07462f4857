"""API Entreprise's v3 answer for an establishment (`/v3/insee/sirene/etablissements/{siret}`) read
into the data a form field takes (data_sources.COMPANY_DATA)."""

from typing import Any

from ..base import ConnectorUnavailable

_COMPANY_STATUS = {"A": "Active", "C": "Cessée"}
_ESTABLISHMENT_STATUS = {"A": "Ouvert", "F": "Fermé"}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _legal_name(legal_unit: dict) -> str:
    moral = legal_unit.get("personne_morale_attributs") or {}
    if _text(moral.get("raison_sociale")):
        return _text(moral["raison_sociale"])
    person = legal_unit.get("personne_physique_attributs") or {}
    first = _text(person.get("prenom_usuel")) or _text(person.get("prenom_1"))
    last = _text(person.get("nom_usage")) or _text(person.get("nom_naissance"))
    return " ".join(part for part in (first, last) if part)


def _address(address: dict) -> str:
    """The postal lines (`acheminement_postal` l4 to l7 without the country, France) when given,
    else the address's parts."""
    postal = address.get("acheminement_postal") or {}
    lines = [_text(postal.get(f"l{n}")) for n in range(2, 7)]
    if any(lines):
        return "\n".join(line for line in lines if line)
    street = " ".join(
        _text(address.get(part))
        for part in ("numero_voie", "indice_repetition_voie", "type_voie", "libelle_voie")
        if _text(address.get(part))
    )
    town = " ".join(_text(address.get(part)) for part in ("code_postal", "libelle_commune") if _text(address.get(part)))
    return "\n".join(line for line in (_text(address.get("complement_adresse")), street, town) if line)


def _coded(item: dict | None) -> str:
    item = item or {}
    code, label = _text(item.get("code")), _text(item.get("libelle"))
    return f"{code} – {label}" if code and label else code or label


def establishment_read(body: dict) -> dict[str, str]:
    """The COMPANY_DATA of an establishment's v3 answer; ConnectorUnavailable when it has not its shape."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("unite_legale"), dict):
        raise ConnectorUnavailable("API Entreprise : réponse inattendue (ni data ni unite_legale)")
    legal_unit = data["unite_legale"]
    return {
        "siret": _text(data.get("siret")),
        "legal_name": _legal_name(legal_unit),
        "address": _address(data.get("adresse") or {}),
        "legal_form": _coded(legal_unit.get("forme_juridique")),
        "activity_code": _coded(data.get("activite_principale") or legal_unit.get("activite_principale")),
        "administrative_status": _COMPANY_STATUS.get(_text(legal_unit.get("etat_administratif")), ""),
        "establishment_status": _ESTABLISHMENT_STATUS.get(_text(data.get("etat_administratif")), ""),
    }
