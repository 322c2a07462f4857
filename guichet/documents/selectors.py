"""Reads of acts, always from a dossier that the reader may see (or, on the public verification
page, by the act's code or fingerprint, which reveal nothing else)."""

from django.db.models import QuerySet

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_for_applicant

from .models import CODE_ALPHABET, CODE_LENGTH, Act, ActStatus


def acts_of_dossier(dossier: Dossier, *, issued_only: bool) -> QuerySet[Act]:
    """A dossier's acts, oldest first. Applicants see the issued ones only; instructors see those
    still being made and those whose generation failed too."""
    acts = Act.objects.filter(dossier=dossier).order_by("requested_at", "pk")
    return acts.filter(status=ActStatus.ISSUED) if issued_only else acts


def act_of_applicant(user: User, *, dossier_pk: int, act_pk: int) -> Act:
    """An issued act of one of the applicant's dossiers; Act.DoesNotExist for any other."""
    try:
        dossier = dossier_for_applicant(user, dossier_pk)
    except Dossier.DoesNotExist:
        raise Act.DoesNotExist from None
    act = acts_of_dossier(dossier, issued_only=True).get(pk=act_pk)
    act.dossier = dossier
    return act


_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def code_normalise(raw: str) -> str | None:
    """A code as a person may type it (lower case, dashes, spaces, O for 0...), or None when it
    cannot be one."""
    code = "".join(raw.split()).replace("-", "").upper().translate(_CONFUSABLE)
    if len(code) != CODE_LENGTH or any(character not in CODE_ALPHABET for character in code):
        return None
    return code


def act_issued_by_code(code: str) -> Act | None:
    return (
        Act.objects.filter(code=code, status=ActStatus.ISSUED)
        .select_related("dossier__procedure__organisation")
        .first()
    )


def act_issued_by_sha256(digest: str) -> Act | None:
    return (
        Act.objects.filter(sha256=digest, status=ActStatus.ISSUED)
        .select_related("dossier__procedure__organisation")
        .first()
    )
