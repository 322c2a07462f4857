"""Reading an uploaded PDF before it is kept: one that cannot be read, or that carries active
content (JavaScript, a launch action, embedded files), is refused (docs/decisions/0015-risky-pdfs.md).

pypdf parses the whole file and every object reachable from its trailer is visited, so that names
written in disguise (`/J#53` is `/JS`) and objects inside object streams are seen as a reader sees
them."""

import logging
from typing import IO

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)

# A PDF with more objects than this is not a document an applicant scans or exports: reading it
# all would only let someone hold a worker.
_MAX_OBJECTS = 200_000

# Keys whose presence, anywhere, means active content; and action types that are.
_ACTIVE_KEYS = {
    "/JS": "du code JavaScript",
    "/JavaScript": "du code JavaScript",
    "/EmbeddedFiles": "des fichiers intégrés",
    "/EmbeddedFile": "des fichiers intégrés",
    "/RichMedia": "du contenu multimédia actif",
    # An XFA form carries its scripts inside its XML streams, out of reach of a look at the keys.
    "/XFA": "un formulaire XFA (qui peut contenir des scripts)",
}
_ACTIVE_ACTIONS = {
    "/JavaScript": "du code JavaScript",
    "/Launch": "une commande qui lance un programme",
    "/RichMediaExecute": "du contenu multimédia actif",
}
_ACTIVE_ANNOTATIONS = {"/FileAttachment": "des fichiers intégrés"}


class _TooLarge(Exception):
    pass


def pdf_refusal(stream: IO[bytes], name: str) -> str | None:
    """Why the PDF `stream` (named `name` by its sender) is refused, in French; None when it is
    readable and carries no active content. The stream is read from its start and left there."""
    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            return (
                f"Le fichier « {name} » est un PDF protégé par un mot de passe : enregistrez-le sans "
                f"protection, puis joignez-le à nouveau."
            )
        if len(reader.pages) == 0:
            raise PyPdfError("no page")
        found = _active_content(reader.trailer)
    except _TooLarge:
        return f"Le fichier « {name} » est un PDF trop complexe pour être vérifié : il n’a pas été joint."
    except Exception as error:  # noqa: BLE001 (a damaged file makes the parser fail in any way)
        logger.info("Unreadable PDF %r: %s", name, error)
        return (
            f"Le fichier « {name} » n’est pas un PDF lisible (il est peut-être incomplet ou abîmé) : "
            f"enregistrez-le à nouveau, puis joignez-le."
        )
    finally:
        stream.seek(0)
    if found:
        return (
            f"Le fichier « {name} » est un PDF qui contient {found}, ce que nous n’acceptons pas pour "
            f"votre sécurité et celle des agents : enregistrez-le à nouveau avec la fonction « Imprimer » "
            f"en choisissant « Enregistrer au format PDF », puis joignez-le."
        )
    return None


def _active_content(root: DictionaryObject) -> str | None:
    """What active content the objects reachable from `root` carry (the first found), if any."""
    seen: set[tuple[int, int]] = set()
    pending: list[object] = [root]
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            item = item.get_object()
        visited += 1
        if visited > _MAX_OBJECTS:
            raise _TooLarge
        if isinstance(item, DictionaryObject):
            if found := _active_in(item):
                return found
            pending.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return None


def _active_in(dictionary: DictionaryObject) -> str | None:
    for key in dictionary:
        if key in _ACTIVE_KEYS:
            return _ACTIVE_KEYS[key]
    action = dictionary.get("/S")
    if isinstance(action, NameObject) and action in _ACTIVE_ACTIONS:
        return _ACTIVE_ACTIONS[action]
    subtype = dictionary.get("/Subtype")
    if isinstance(subtype, NameObject) and subtype in _ACTIVE_ANNOTATIONS:
        return _ACTIVE_ANNOTATIONS[subtype]
    return None
