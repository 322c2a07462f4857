"""The antivirus's verdict on an upload, for every path that keeps a file (dossiers' files, the
builder's field templates, imported procedures): the connector the registry gives, when one is
configured (guichet/connectors/clamav/)."""

import logging

from django.core.files.uploadedfile import UploadedFile

from guichet.core.uploads import UploadRefused

from .base import ConnectorError, ScanTooLarge
from .registry import connector_for

logger = logging.getLogger(__name__)


def upload_scan(uploaded: UploadedFile, name: str, *, where: str = "") -> None:
    """The antivirus's verdict on an upload, when one is configured: UploadRefused when it finds
    something or cannot answer (logged, with `where` the file was going)."""
    antivirus = connector_for("antivirus")
    if antivirus is None:
        return
    try:
        found = antivirus.scan(uploaded)
    except ScanTooLarge as error:
        # Refused like any file the antivirus could not scan, but "try again later" would not help:
        # the antivirus's limit is below the platform's (an operator's setting, logged for them).
        logger.error("Upload %r (%s) refused, too large for the antivirus: %s", name, where, error)
        raise UploadRefused(
            f"Le fichier « {name} » est trop volumineux pour être vérifié par l’antivirus du service : "
            f"il n’a pas été joint. Envoyez un fichier plus léger (compressé, ou découpé en plusieurs "
            f"fichiers) ; si vous ne le pouvez pas, contactez le service."
        ) from error
    except ConnectorError as error:
        logger.error("Upload %r (%s) refused, the antivirus cannot scan it: %s", name, where, error)
        raise UploadRefused(
            f"Le fichier « {name} » n’a pas pu être vérifié par l’antivirus : il n’a pas été joint. "
            f"Réessayez dans quelques minutes."
        ) from error
    if found:
        logger.warning("Upload %r (%s) refused, the antivirus found %s", name, where, found)
        raise UploadRefused(
            f"Le fichier « {name} » contient un virus ou un programme malveillant (détecté par l’antivirus : "
            f"{found}) : il n’a pas été joint."
        )
