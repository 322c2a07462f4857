"""API Entreprise over HTTP. Settings: GUICHET_API_ENTREPRISE_URL (https://entreprise.api.gouv.fr in
production, https://staging.entreprise.api.gouv.fr to try), GUICHET_API_ENTREPRISE_TIMEOUT (seconds:
the applicant waits for it). The token, `recipient`, `context` and `object` come with each call
(an organisation's access, dossiers/sources.py)."""

from dataclasses import dataclass
from typing import Self

from django.conf import settings

from ..base import CompanyDataConnector
from ..data_sources import SourceAccess, source_get
from ..http import HttpPolicy
from .reading import establishment_read


@dataclass(frozen=True)
class ApiEntreprise(CompanyDataConnector):
    name = "api_entreprise"
    setting_names = ("GUICHET_API_ENTREPRISE_URL", "GUICHET_API_ENTREPRISE_TIMEOUT")

    url: str
    policy: HttpPolicy

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_API_ENTREPRISE_URL)

    @classmethod
    def from_settings(cls) -> Self:
        timeout = float(settings.GUICHET_API_ENTREPRISE_TIMEOUT)
        return cls(url=settings.GUICHET_API_ENTREPRISE_URL.rstrip("/"), policy=HttpPolicy(timeout=timeout, attempts=1))

    def establishment(self, *, siret: str, access: SourceAccess) -> dict[str, str]:
        body = source_get(
            f"{self.url}/v3/insee/sirene/etablissements/{siret}",
            # Non-diffusible companies are asked for too (as démarches-simplifiées does): the
            # administration may know them, the applicant is the company itself.
            params={
                "context": access.context,
                "recipient": access.recipient,
                "object": access.object,
                "non_diffusables": "true",
            },
            token=access.token,
            policy=self.policy,
            system="API Entreprise",
        )
        return establishment_read(body)
