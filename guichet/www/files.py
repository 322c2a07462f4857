"""Sending a dossier's attachment to someone allowed to see the dossier (the caller checks that)."""

import uuid

from django.http import FileResponse, Http404

from guichet.dossiers.models import Dossier

# What a browser may show in place (a preview): types recognised from the content, never HTML.
PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg"}


def dossier_file_response(dossier: Dossier, key: uuid.UUID, *, preview: bool = False) -> FileResponse:
    """The attachment `key` of `dossier` as a download, named as it was uploaded, typed as its
    content was recognised; 404 for a key that is not this dossier's. With `preview`, a PDF or an
    image is shown in the browser instead, in a sandbox (no script, no same-origin access)."""
    stored = dossier.files.filter(key=key).first()
    if stored is None:
        raise Http404("Ce fichier n’existe pas.")
    inline = preview and stored.content_type in PREVIEWABLE
    response = FileResponse(stored.content.open("rb"), as_attachment=not inline, filename=stored.name)
    response["Content-Type"] = stored.content_type or "application/octet-stream"
    if inline:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return response
