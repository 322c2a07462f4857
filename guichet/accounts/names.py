"""The name a page, an email, an export or an act prints for a person: one helper for all of them,
so that no screen ever shows an empty identity ("Nom —", an empty cell, "Madame, Monsieur ,").

A person's names come from FranceConnect (certified), from the account (asked at sign-up, and before
the first dossier of an account that has none), or from a dossier's frozen identity (a dict with the
keys of accounts.selectors.applicant_identity_for_dossier). When no name is known, the email address
stands in; when even that is missing, a French wording that says so."""

from collections.abc import Mapping
from typing import Any

NO_NAME = "non renseigné"
UNKNOWN_PERSON = "Personne non identifiée"


def person_display_name(
    *, given_name: str = "", family_name: str = "", email: str = "", family_first: bool = False
) -> str:
    """« Prénom Nom » (« Nom Prénom » with `family_first`, as lists sorted by name show it), else the
    one name known, else the email address, else « Personne non identifiée »."""
    parts = (family_name, given_name) if family_first else (given_name, family_name)
    names = " ".join(part.strip() for part in parts if part and part.strip())
    return names or (email or "").strip() or UNKNOWN_PERSON


def identity_display_name(identity: Mapping[str, Any] | None, *, family_first: bool = False) -> str:
    """The display name of a dossier's identity (see accounts.selectors.applicant_identity_for_dossier)."""
    identity = identity or {}
    return person_display_name(
        given_name=str(identity.get("given_name") or ""),
        family_name=str(identity.get("family_name") or ""),
        email=str(identity.get("email") or ""),
        family_first=family_first,
    )


def user_display_name(user) -> str:
    """The display name of an account: its names, else its email address."""
    if user is None:
        return UNKNOWN_PERSON
    return person_display_name(given_name=user.first_name, family_name=user.last_name, email=user.email)


def user_needs_name(user) -> bool:
    """An account without a name (signed up before names were asked) that FranceConnect does not
    name either: it is asked for one before its first dossier."""
    if user is None or not user.is_authenticated:
        return False
    if hasattr(user, "franceconnect_identity"):
        return False
    return not (user.first_name.strip() and user.last_name.strip())
