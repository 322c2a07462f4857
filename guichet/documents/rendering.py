"""An act as a PDF: its template's text in the organisation's layout, with the QR code, the short
code and the address of its verification page, written by WeasyPrint as PDF/A-3a (archivable and
tagged, so that screen readers follow it)."""

import base64
import mimetypes
from dataclasses import dataclass
from functools import cache

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from .content import organisation_lines
from .templating import template_html

PDF_VARIANT = "pdf/a-3a"
KEYWORD_PREFIX = "guichet-acte:"


def verification_url(code: str) -> str:
    return settings.GUICHET_SITE_URL + reverse("public:act_verify", args=[code])


def qr_data_uri(url: str) -> str:
    # PNG rather than SVG: the tests read it back from the PDF; a white background (no
    # transparency) keeps the image plain for every reader.
    return segno.make(url, error="m").png_data_uri(scale=6, border=2, dark="#000000", light="#ffffff")


def _logo_data_uri(organisation) -> str:
    if not organisation.logo:
        return ""
    try:
        with organisation.logo.open("rb") as stored:
            data = stored.read()
    except (OSError, ValueError):
        return ""  # a missing logo file must not stop the act
    content_type = mimetypes.guess_type(organisation.logo.name)[0] or "image/png"
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


@dataclass(frozen=True)
class ActLayout:
    title: str
    body: str  # the template, in the restricted language
    context: dict  # the tags' values (documents/content.py)
    code: str
    code_display: str
    number: str
    procedure_title: str
    organisation: object
    signatory_name: str
    signatory_title: str
    act_date: str
    specimen: bool = False


def act_html(layout: ActLayout) -> str:
    issuer = organisation_lines(layout.organisation)
    url = verification_url(layout.code)
    context = {
        "title": layout.title,
        "body_html": mark_safe(template_html(layout.body, layout.context)),  # noqa: S308 (markdown-it escapes)
        "number": layout.number,
        "procedure_title": layout.procedure_title,
        "issuer": " — ".join(part for part in (issuer["rattachement"], issuer["nom"]) if part),
        "issuer_name": issuer["nom"],
        "issuer_parents": issuer["rattachement"],
        "issuer_address": issuer["adresse"],
        "logo_data_uri": _logo_data_uri(layout.organisation),
        "qr_data_uri": qr_data_uri(url),
        "verification_url": url,
        "code_display": layout.code_display,
        "keywords": KEYWORD_PREFIX + layout.code,
        "signatory_name": layout.signatory_name,
        "signatory_title": layout.signatory_title,
        "act_date": layout.act_date,
        "platform_name": settings.GUICHET_PLATFORM_NAME,
        "specimen": layout.specimen,
    }
    return render_to_string("documents/act.html", context)


def act_pdf(layout: ActLayout) -> bytes:
    """The act as PDF/A-3a, not yet sealed."""
    return html_to_pdfa(act_html(layout))


@cache
def _font_config():
    """One font configuration per process: acts use system fonts only (no @font-face), and
    building it again for every act costs more than laying the act out."""
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    return FontConfiguration()


def html_to_pdfa(html_text: str) -> bytes:
    """HTML as PDF/A-3a, tagged."""
    from weasyprint import HTML  # noqa: PLC0415 (heavy: loaded when an act is made)
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    # Acts carry their images inline (data: URIs): rendering one never reaches the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    html = HTML(string=html_text, base_url=settings.GUICHET_SITE_URL + "/", url_fetcher=fetcher)
    # WeasyPrint leaves its sRGB profile (PDF/A's output intent) open: a ResourceWarning, ignored by
    # Python by default and by the tests' settings (pyproject.toml).
    return html.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, font_config=_font_config())
