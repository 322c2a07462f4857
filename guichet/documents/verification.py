"""Is this PDF exactly an act that the platform issued? Its SHA-256 says; when it is not, the
verification code written in its metadata tells which act it pretends to be (tampered) or that it
names none (unknown)."""

import hashlib
import io
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CODE_ALPHABET, CODE_LENGTH, Act
from .rendering import KEYWORD_PREFIX
from .selectors import act_issued_by_code, act_issued_by_sha256


class Verdict(models.TextChoices):
    GENUINE = "genuine", _("Document authentique")
    TAMPERED = "tampered", _("Document modifié")
    UNKNOWN = "unknown", _("Document inconnu")


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    sha256: str
    act: Act | None = None


_CODE_IN_TEXT = re.compile(
    re.escape(KEYWORD_PREFIX).encode() + rb"([" + CODE_ALPHABET.encode() + rb"]{%d})" % CODE_LENGTH
)
_CODE_IN_URL = re.compile(rb"/verifier/([" + CODE_ALPHABET.encode() + rb"]{%d})/" % CODE_LENGTH)


def code_in_pdf(data: bytes) -> str | None:
    """The verification code that a PDF made by the platform carries in its metadata (or in the
    link to its verification page), read even from a damaged or modified file; None without one."""
    for pattern in (_CODE_IN_TEXT, _CODE_IN_URL):
        found = pattern.search(data)
        if found:
            return found.group(1).decode()
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415

        reader = PdfFileReader(io.BytesIO(data), strict=False)
        keywords = str(reader.trailer_view["/Info"]["/Keywords"])
    except Exception:  # noqa: BLE001 (a file that is not a readable PDF names no act)
        return None
    found = _CODE_IN_TEXT.search(keywords.encode())
    return found.group(1).decode() if found else None


def pdf_verify(data: bytes, *, code: str | None = None) -> Verification:
    """Compare a PDF with the acts issued. With a `code` (the page of one act), only that act counts."""
    digest = hashlib.sha256(data).hexdigest()
    act = act_issued_by_sha256(digest)
    if act is not None and (code is None or act.code == code):
        return Verification(Verdict.GENUINE, digest, act)
    claimed = code or code_in_pdf(data)
    act = act_issued_by_code(claimed) if claimed else None
    if act is not None:
        return Verification(Verdict.TAMPERED, digest, act)
    return Verification(Verdict.UNKNOWN, digest, None)
