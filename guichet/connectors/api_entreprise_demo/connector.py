"""A demonstration API Entreprise, in the process: the recorded v3 answers of a few fictitious
companies (recorded.json), read like the real ones. Selected by GUICHET_DATA_SOURCES_DEMO
(development and the demo) when no GUICHET_API_ENTREPRISE_URL is set; never in production."""

from dataclasses import dataclass
from pathlib import Path

from ..api_entreprise.reading import establishment_read
from ..base import CompanyDataConnector
from ..data_sources import SourceAccess, SourceNotFound
from ..recorded_demo import RecordedDemo, recorded_json

RECORDED = Path(__file__).with_name("recorded.json")


def recorded_establishments() -> dict[str, dict]:
    """siret → API Entreprise's v3 answer, as recorded (the stand-in of the tests serves them too)."""
    return recorded_json(RECORDED)


@dataclass(frozen=True)
class DemoApiEntreprise(RecordedDemo, CompanyDataConnector):
    name = "api_entreprise_demo"

    def establishment(self, *, siret: str, access: SourceAccess) -> dict[str, str]:
        body = recorded_establishments().get(siret)
        if body is None:
            raise SourceNotFound(f"API Entreprise (démonstration) : aucun établissement {siret}")
        return establishment_read(body)
