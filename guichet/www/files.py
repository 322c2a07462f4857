"""Sending a dossier's attachment to someone allowed to see the dossier (the caller checks that)."""

import uuid

from django.http import FileResponse, Http404

from guichet.dossiers.models import Dossier


def dossier_file_response(dossier: Dossier, key: uuid.UUID) -> FileResponse:
    """The attachment `key` of `dossier` as a download, named as it was uploaded, typed as its
    content was recognised; 404 for a key that is not this dossier's."""
    stored = dossier.files.filter(key=key).first()
    if stored is None:
        raise Http404("Ce fichier n’existe pas.")
    response = FileResponse(stored.content.open("rb"), as_attachment=True, filename=stored.name)
    response["Content-Type"] = stored.content_type or "application/octet-stream"
    return response
