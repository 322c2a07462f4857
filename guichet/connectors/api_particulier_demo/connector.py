"""A demonstration API Particulier, in the process: one recorded v3 answer per datum
(recorded.json), the same for every person, read like the real ones. Selected by
GUICHET_DATA_SOURCES_DEMO (development and the demo) when no GUICHET_API_PARTICULIER_URL is set."""

from dataclasses import dataclass
from pathlib import Path

from guichet.core.clock import today

from ..api_particulier.reading import READERS
from ..base import IndividualDataConnector
from ..data_sources import PivotIdentity, SourceAccess
from ..recorded_demo import RecordedDemo, recorded_json

RECORDED = Path(__file__).with_name("recorded.json")


def recorded_answers() -> dict[str, dict]:
    """datum → API Particulier's v3 answer, as recorded (the stand-in of the tests serves them too)."""
    return recorded_json(RECORDED)


@dataclass(frozen=True)
class DemoApiParticulier(RecordedDemo, IndividualDataConnector):
    name = "api_particulier_demo"

    def individual_datum(
        self, *, datum: str, person: PivotIdentity, access: SourceAccess, identifier: str = ""
    ) -> int | bool:
        return READERS[datum](recorded_answers()[datum], today())
