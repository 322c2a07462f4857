"""A demonstration API Entreprise, in the process: the recorded v3 answers of a few fictitious
companies (recorded.json), read like the real ones. Selected by GUICHET_DATA_SOURCES_DEMO
(development and the demo) when no GUICHET_API_ENTREPRISE_URL is set; never in production."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self

from django.conf import settings

from ..api_entreprise.reading import establishment_read
from ..base import CompanyDataConnector
from ..data_sources import SourceAccess, SourceNotFound

RECORDED = Path(__file__).with_name("recorded.json")


@cache
def recorded_establishments() -> dict[str, dict]:
    """siret → API Entreprise's v3 answer, as recorded (the stand-in of the tests serves them too)."""
    return json.loads(RECORDED.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DemoApiEntreprise(CompanyDataConnector):
    name = "api_entreprise_demo"
    setting_names = ("GUICHET_DATA_SOURCES_DEMO",)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_DATA_SOURCES_DEMO)

    @classmethod
    def from_settings(cls) -> Self:
        return cls()

    def establishment(self, *, siret: str, access: SourceAccess) -> dict[str, str]:
        body = recorded_establishments().get(siret)
        if body is None:
            raise SourceNotFound(f"API Entreprise (démonstration) : aucun établissement {siret}")
        return establishment_read(body)
