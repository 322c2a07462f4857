"""API Particulier v3 over HTTP (token in the Authorization header only; the caller's SIRET as
`recipient`). Settings: GUICHET_API_PARTICULIER_URL (https://particulier.api.gouv.fr in production),
GUICHET_API_PARTICULIER_TIMEOUT (seconds: the applicant waits for it)."""

from dataclasses import dataclass
from typing import Self

from django.conf import settings

from guichet.core.clock import today

from ..base import IndividualDataConnector
from ..data_sources import IDENTIFIED_DATA, PivotIdentity, SourceAccess, source_get
from ..http import HttpPolicy
from .reading import ENDPOINTS, READERS, identity_check, request_params


@dataclass(frozen=True)
class ApiParticulier(IndividualDataConnector):
    name = "api_particulier"
    setting_names = ("GUICHET_API_PARTICULIER_URL", "GUICHET_API_PARTICULIER_TIMEOUT")

    url: str
    policy: HttpPolicy

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_API_PARTICULIER_URL)

    @classmethod
    def from_settings(cls) -> Self:
        timeout = float(settings.GUICHET_API_PARTICULIER_TIMEOUT)
        return cls(url=settings.GUICHET_API_PARTICULIER_URL.rstrip("/"), policy=HttpPolicy(timeout=timeout, attempts=1))

    def individual_datum(
        self, *, datum: str, person: PivotIdentity, access: SourceAccess, identifier: str = ""
    ) -> int | bool:
        body = source_get(
            f"{self.url}{ENDPOINTS[datum]}",
            params={**request_params(datum, person, identifier), "recipient": access.recipient},
            token=access.token,
            policy=self.policy,
            system="API Particulier",
        )
        if datum in IDENTIFIED_DATA:
            identity_check(body, person)
        return READERS[datum](body, today())
