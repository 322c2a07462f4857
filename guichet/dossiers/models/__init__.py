"""The dossier and what hangs on it."""

from .dossier import Dossier, DossierState, FilingDay
from .prefill import PrefilledDraft
from .records import (  # _file_path and _private_storage: named by migrations
    ActKind,
    CorrectionRequest,
    DossierChange,
    DossierFile,
    DossierSnapshot,
    Message,
    MessageAttachment,
    Opinion,
    TransitionLog,
    TransitionName,
    _file_path,
    _private_storage,
)
from .sourced import SourcedValue, SourceOutcome

__all__ = [
    "ActKind",
    "CorrectionRequest",
    "Dossier",
    "DossierChange",
    "DossierFile",
    "DossierSnapshot",
    "DossierState",
    "FilingDay",
    "Message",
    "MessageAttachment",
    "Opinion",
    "PrefilledDraft",
    "SourceOutcome",
    "SourcedValue",
    "TransitionLog",
    "TransitionName",
    "_file_path",
    "_private_storage",
]
