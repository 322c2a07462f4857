"""Sending a dossier's attachment to someone allowed to see it (the caller checks the dossier, and
says which of its files this person may see)."""

import uuid

from django.db.models import QuerySet
from django.http import FileResponse, Http404

from guichet.dossiers.models import DossierFile

# What a browser may show in place (a preview): types recognised from the content, never HTML.
PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg"}


def dossier_file_response(files: QuerySet[DossierFile], key: uuid.UUID, *, preview: bool = False) -> FileResponse:
    """The attachment `key` among `files` (a dossier's files that the person may see) as a download,
    named as it was uploaded, typed as its content was recognised; 404 for any other key. With
    `preview`, a PDF or an image is shown in the browser instead, in a sandbox (no script, no
    same-origin access)."""
    stored = files.filter(key=key).first()
    if stored is None:
        raise Http404("Ce fichier n’existe pas.")
    inline = preview and stored.content_type in PREVIEWABLE
    response = FileResponse(stored.content.open("rb"), as_attachment=not inline, filename=stored.name)
    response["Content-Type"] = stored.content_type or "application/octet-stream"
    if inline:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return response
