"""Describing an uploaded file from what it contains, never from what it claims to be."""

from collections.abc import Collection
from typing import TypedDict

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .pdf_inspection import pdf_refusal

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


# What an attachment may be, read from its content, when a field lists no types: documents and
# pictures, no programs, no pages (HTML, SVG) that a browser would run, no archives.
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

# What a procedure's field may accept besides, when its settings tick it: never HTML, SVG or programs.
OPT_IN_TYPES = {"application/zip": "ZIP"}
_PDF = "application/pdf"
# Older definitions list extensions rather than types.
_BY_EXTENSION = {"pdf": _PDF, "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "zip": "application/zip"}


class UploadRefused(ValidationError):
    """An uploaded file is not kept: the message (in French, naming the file) says why and what to do."""


def upload_size_check(name: str, size: int, *, max_size_mb: int | None = None) -> None:
    """UploadRefused when `size` bytes are more than the field's limit (never above
    GUICHET_UPLOAD_MAX_MB): also for a file described before it is read (a size HubEE gives)."""
    limit = min(max_size_mb or settings.GUICHET_UPLOAD_MAX_MB, settings.GUICHET_UPLOAD_MAX_MB)
    if size > limit * 1024 * 1024:
        raise UploadRefused(f"Le fichier « {name} » dépasse {limit} Mo : il n’a pas été joint.")


def upload_check(
    uploaded: UploadedFile, *, accept: Collection[str] = (), max_size_mb: int | None = None
) -> FileDescription:
    """The file's description when it may be kept; UploadRefused otherwise. Checked from its
    content: not empty, within the size (the field's, never above GUICHET_UPLOAD_MAX_MB), of a type
    that `accept` lists (the documents of DOCUMENT_TYPES when it lists none), and a PDF that can be
    read and carries no active content. The antivirus comes after (dossiers.files)."""
    description = upload_describe(uploaded)
    name = description["name"]
    if description["size"] == 0:
        raise UploadRefused(f"Le fichier « {name} » est vide : il n’a pas été joint.")
    upload_size_check(name, description["size"], max_size_mb=max_size_mb)
    allowed = accepted_types(accept)
    if description["content_type"] not in allowed:
        labels = ", ".join(dict.fromkeys(allowed.values()))
        raise UploadRefused(
            f"Le fichier « {name} » n’est pas d’un type accepté (formats acceptés : {labels}) : il n’a pas été joint."
        )
    if description["content_type"] == _PDF and (reason := pdf_refusal(uploaded, name)):
        raise UploadRefused(reason)
    return description


def accepted_types(accept: Collection[str] = ()) -> dict[str, str]:
    """The types a field accepts, with their names: those it lists that we ever accept (extensions
    such as ".pdf" understood), or every document type when it lists none."""
    if not accept:
        return DOCUMENT_TYPES
    known = DOCUMENT_TYPES | OPT_IN_TYPES
    by_extension = {
        "pdf": _PDF,
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "zip": "application/zip",
    }
    wanted = {by_extension.get(entry.lower().lstrip("."), entry.lower()) for entry in accept}
    return {content_type: label for content_type, label in known.items() if content_type in wanted} or DOCUMENT_TYPES
