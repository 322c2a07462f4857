"""Describing an uploaded file from what it contains, never from what it claims to be."""

from typing import TypedDict

import magic
from django.core.files.uploadedfile import UploadedFile

# libmagic recognises every format that forms accept from its first bytes.
_SNIFF_BYTES = 2048


class FileDescription(TypedDict):
    name: str
    size: int
    content_type: str


def upload_describe(uploaded_file: UploadedFile) -> FileDescription:
    """The file's name, size and type; the type is sniffed from its first bytes, because the name's
    extension and the browser's Content-Type header are chosen by the sender."""
    uploaded_file.seek(0)
    head = uploaded_file.read(_SNIFF_BYTES)
    uploaded_file.seek(0)
    content_type = magic.from_buffer(head, mime=True) if head else "application/x-empty"
    name = (uploaded_file.name or "fichier").replace("\\", "/").rsplit("/", 1)[-1]
    return {"name": name, "size": uploaded_file.size or 0, "content_type": content_type}


# What a message's attachment may be, read from its content: documents and pictures, no programs.
DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "text/plain": "texte",
    "text/csv": "CSV",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
}
