"""A demonstration API Particulier, in the process: one recorded v3 answer per datum
(recorded.json), the same for every person, read like the real ones. Selected by
GUICHET_DATA_SOURCES_DEMO (development and the demo) when no GUICHET_API_PARTICULIER_URL is set."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self

from django.conf import settings

from guichet.core.clock import today

from ..api_particulier.reading import READERS
from ..base import IndividualDataConnector
from ..data_sources import PivotIdentity, SourceAccess

RECORDED = Path(__file__).with_name("recorded.json")


@cache
def recorded_answers() -> dict[str, dict]:
    """datum → API Particulier's v3 answer, as recorded (the stand-in of the tests serves them too)."""
    return json.loads(RECORDED.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemoApiParticulier(IndividualDataConnector):
    name = "api_particulier_demo"
    setting_names = ("GUICHET_DATA_SOURCES_DEMO",)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_DATA_SOURCES_DEMO)

    @classmethod
    def from_settings(cls) -> Self:
        return cls()

    def individual_datum(self, *, datum: str, person: PivotIdentity, access: SourceAccess) -> int | bool:
        return READERS[datum](recorded_answers()[datum], today())
