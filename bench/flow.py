"""The applicant's flows that the load benchmark runs, request by request, on the demo's electoral-roll
procedure, exactly as a browser without JavaScript sends them:
- the browser flow (`browser_flow`): start a dossier, then follow every redirection as a browser
  does: each page shown then sent (the two attachments with the last one), the summary shown, the
  submission, the confirmation page;
- the posts flow (`posts_flow`, the benchmark's first one, kept for comparison): start, each page's
  answers sent without showing the pages nor the summary, submit, the confirmation page.

The bodies are built here, once, as bytes: the load generator sends them as they are, and a test
(tests/bench/test_load_flow.py) replays the same bytes through Django's test client, so that the
benchmark cannot silently measure a flow that the application refuses."""

import io
import re
import uuid
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from pypdf import PdfWriter
from urllib3 import encode_multipart_formdata

PROCEDURE_SLUG = "inscription-liste-electorale"
START_PATH = f"/demarches/{PROCEDURE_SLUG}/commencer/"


def _one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A small but real PDF: uploads are typed by their content, and PDFs are read before they are kept.
PDF = _one_page_pdf()

# The answers, page by page, as the inputs of each page name them (see www/formengine/posting.py).
PAGES: list[dict[str, str]] = [
    {  # Votre situation (a person who turns 18: no further question appears on the page)
        "nationalite": "francaise",
        "majeur_veille_scrutin": "true",
        "motif_inscription": "majorite",
    },
    {  # Votre identité
        "sexe": "feminin",
        "nom_naissance": "Martin",
        "nom_usage": "",
        "prenoms": "Camille, Jeanne",
        "date_naissance": "14/03/1990",
        "commune_naissance": "Tours",
    },
    {  # Vos coordonnées
        "adresse_commune.street": "12 rue des Écoles",
        "adresse_commune.postcode": "45000",
        "adresse_commune.city": "Sainte-Croix-en-Val",
        "adresse_commune.insee_code": "",
        "courriel": "camille.martin@exemple.fr",
        "telephone": "06 12 34 56 78",
    },
    {"attestation": "on"},  # Justificatifs, with the two files below
]
FILES = {"piece_identite": "carte-identite.pdf", "justificatif_domicile": "facture-electricite.pdf"}

FORM = "application/x-www-form-urlencoded"
_DOSSIER = re.compile(r"/mes-dossiers/(\d+)/")


@dataclass(frozen=True)
class Request:
    name: str  # the label in the statistics
    method: str
    path: str
    body: bytes = b""
    content_type: str = ""
    # What a correct answer is: a redirection to a path matching `location`, or a page (200).
    location: str | None = None

    def accepts(self, status: int, location: str) -> bool:
        if self.location is None:
            return status == 200
        return status == 302 and re.search(self.location, location or "") is not None


def _form(fields: dict[str, str]) -> tuple[bytes, str]:
    return urlencode(fields).encode(), FORM


def _multipart(fields: dict[str, str], files: dict[str, str]) -> tuple[bytes, str]:
    parts: list = list(fields.items())
    parts += [(name, (filename, PDF, "application/pdf")) for name, filename in files.items()]
    return encode_multipart_formdata(parts)


def dossier_of(location: str) -> int:
    """The dossier's number in a redirection to one of its pages."""
    match = _DOSSIER.search(location or "")
    if match is None:
        raise ValueError(f"no dossier in {location!r}")
    return int(match.group(1))


def start(csrf: str) -> Request:
    body, content_type = _form({"csrfmiddlewaretoken": csrf, "cle": str(uuid.uuid4())})
    return Request("1 commencer", "POST", START_PATH, body, content_type, location=r"/mes-dossiers/\d+/page/1/$")


def pages(dossier: int, csrf: str) -> list[Request]:
    """One request per page, each answered by a redirection to the next page (the last one to the
    summary)."""
    requests = []
    for number, fields in enumerate(PAGES, start=1):
        data = {"csrfmiddlewaretoken": csrf, **fields}
        last = number == len(PAGES)
        body, content_type = _multipart(data, FILES) if last else _form(data)
        following = "recapitulatif/$" if last else f"page/{number + 1}/$"
        requests.append(
            Request(
                f"{number + 1} page {number}",
                "POST",
                f"/mes-dossiers/{dossier}/page/{number}/",
                body,
                content_type,
                location=rf"/mes-dossiers/{dossier}/{following}",
            )
        )
    return requests


def page_shown(dossier: int, number: int) -> Request:
    """The page as the browser shows it after the redirection to it."""
    return Request(f"page {number} (affichage)", "GET", f"/mes-dossiers/{dossier}/page/{number}/")


def summary_shown(dossier: int) -> Request:
    return Request("recapitulatif (affichage)", "GET", f"/mes-dossiers/{dossier}/recapitulatif/")


def submit(dossier: int, csrf: str) -> Request:
    body, content_type = _form({"csrfmiddlewaretoken": csrf})
    path = f"/mes-dossiers/{dossier}/recapitulatif/"
    return Request("6 deposer", "POST", path, body, content_type, location=rf"/mes-dossiers/{dossier}/depose/$")


def confirmation(dossier: int) -> Request:
    return Request("7 confirmation", "GET", f"/mes-dossiers/{dossier}/depose/")


def posts_flow(dossier: int, csrf: str) -> list[Request]:
    """After the start: the pages' answers, the submission and the confirmation page."""
    return [*pages(dossier, csrf), submit(dossier, csrf), confirmation(dossier)]


def browser_flow(dossier: int, csrf: str) -> list[Request]:
    """After the start: what a browser sends when it follows every redirection, each request named
    by its rank in the flow (the start is the first)."""
    requests = []
    for number, sent in enumerate(pages(dossier, csrf), start=1):
        requests += [page_shown(dossier, number), sent]
    requests += [summary_shown(dossier), submit(dossier, csrf), confirmation(dossier)]
    return [
        replace(request, name=f"{rank:02d} {request.name.lstrip('0123456789 ')}")
        for rank, request in enumerate(requests, start=2)
    ]
