"""HubEE's télédossiers API (`/teledossiers/v1`, Swagger api_folder_v1.2.7, and the reference
client SolutionSI/hubee_client.py of dinum-HubEE/Documentations; /work/shared/reference/connectors.md
§3.1), for both actor types:

- receiving (SI): `GET /notifications?maxResult=`, `GET /cases/{id}`,
  `GET /cases/{id}/attachments/{att}`, `POST /cases/{id}/events` (a STATUS_UPDATE with the case's
  new status), `GET` and `PATCH /cases/{id}/events/{ev}` (`{"status": "RECEIVED"}`: the event is
  taken into account), `GET /cases/{id}/events/{ev}/attachments/{att}` (a file that the sender
  added later) and `DELETE /notifications/{id}`; a binary that comes with its `digest` is checked
  against it;
- either side, afterwards: `POST /cases/{id}/events` (an ATTACH_DEPOSIT describing files, such as
  an act issued later) then `PUT /cases/{id}/events/{ev}/attachments/{att}` (each binary, with its
  SHA-256 in `digest`);
- sending (OSL): `POST /folders` (the folder, its cases, one per recipient, and its attachments'
  descriptions), `PUT /folders/{id}/attachments/{att}` (each binary, with its SHA-256 in `digest`),
  `PATCH /folders/{id}` (`{"globalStatus": "HUBEE_COMPLETED"}`: the folder is complete and its cases
  go out), and `GET /folders/{id}` for the cases' statuses.

Settings: GUICHET_HUBEE_API_URL (selects HubEE; ends with /teledossiers/v1), GUICHET_HUBEE_TOKEN_URL,
GUICHET_HUBEE_TIMEOUT (seconds per attempt). The démarches' credentials are not settings: each
subscription keeps its own (client.HubeeCredentials)."""

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Self

from django.conf import settings

from ..base import ConnectorNotConfigured, ConnectorRejected
from ..data_exchange import DataExchangeConnector
from ..http import HttpPolicy, http_request
from .client import (
    SYSTEM,
    HubeeCredentials,
    HubeeNotFound,
    HubeeRefused,
    access_token,
    hubee_error_message,
)

EDITOR_HEADERS = {"editorName": "Guichet", "applicationName": "Guichet", "softwareVersion": "1"}
REFUSALS = {400, 401, 403, 404, 409, 422}


def _digest(content: bytes) -> str:
    """The `digest` header of an upload: the content's SHA-256, in base64."""
    return base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")


@dataclass(frozen=True)
class HubeeExchange(DataExchangeConnector):
    name = "hubee"
    setting_names = ("GUICHET_HUBEE_API_URL", "GUICHET_HUBEE_TOKEN_URL", "GUICHET_HUBEE_TIMEOUT")

    api_url: str
    token_url: str
    policy: HttpPolicy = HttpPolicy()

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_HUBEE_API_URL)

    @classmethod
    def from_settings(cls) -> Self:
        if not settings.GUICHET_HUBEE_TOKEN_URL:
            raise ConnectorNotConfigured("GUICHET_HUBEE_TOKEN_URL doit être indiqué avec GUICHET_HUBEE_API_URL.")
        return cls(
            api_url=settings.GUICHET_HUBEE_API_URL.rstrip("/"),
            token_url=settings.GUICHET_HUBEE_TOKEN_URL,
            policy=HttpPolicy(timeout=float(settings.GUICHET_HUBEE_TIMEOUT)),
        )

    # The calls, each with a token of the démarche's credentials, asked again once on a 401.

    def _call(
        self,
        method: str,
        path: str,
        *,
        credentials: HubeeCredentials,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        repeatable: bool = True,
    ):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        content_type = "application/octet-stream" if raw is not None else "application/json"
        for renew in (False, True):
            token = access_token(token_url=self.token_url, credentials=credentials, policy=self.policy, renew=renew)
            response = http_request(
                method,
                f"{self.api_url}{path}",
                data=data,
                headers={
                    **EDITOR_HEADERS,
                    "Authorization": f"Bearer {token}",
                    "Content-Type": content_type,
                    **(headers or {}),
                },
                policy=self.policy,
                system=SYSTEM,
                answered=REFUSALS,
                repeatable=repeatable,
            )
            if response.status_code != 401:
                break
        if response.status_code in REFUSALS:
            error = HubeeNotFound if response.status_code == 404 else HubeeRefused
            reason = hubee_error_message(response.content)
            raise error(
                f"{SYSTEM} a refusé {method} {path} : HTTP {response.status_code} {reason}", status=response.status_code
            )
        return response

    @staticmethod
    def _json(response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise ConnectorRejected(f"{SYSTEM} : réponse illisible ({error})") from error

    # Receiving (SI).

    def notifications(self, *, credentials: HubeeCredentials, max_result: int = 50) -> list[dict]:
        return self._json(self._call("GET", f"/notifications?maxResult={max_result}", credentials=credentials))

    def notification_delete(self, *, credentials: HubeeCredentials, notification_id: str) -> None:
        try:
            self._call("DELETE", f"/notifications/{notification_id}", credentials=credentials)
        except HubeeNotFound:
            pass  # deleted already (a round that stopped after it): what was asked is done

    def case(self, *, credentials: HubeeCredentials, case_id: str) -> dict:
        return self._json(self._call("GET", f"/cases/{case_id}", credentials=credentials))

    def case_attachment(self, *, credentials: HubeeCredentials, case_id: str, attachment_id: str) -> bytes:
        return self._download(credentials, f"/cases/{case_id}/attachments/{attachment_id}")

    def _download(self, credentials: HubeeCredentials, path: str) -> bytes:
        """A binary, checked against the SHA-256 that HubEE may send with it (`digest`, optional in
        the Swagger): a transfer cut short or altered is refused, to be read again later."""
        response = self._call("GET", path, credentials=credentials)
        expected = response.headers.get("digest")
        if expected and expected != _digest(response.content):
            raise ConnectorRejected(f"{SYSTEM} : le fichier reçu par GET {path} ne correspond pas à son empreinte")
        return response.content

    def status_send(self, *, credentials: HubeeCredentials, case_id: str, status: str, message: str) -> dict:
        body = {
            "actionType": "STATUS_UPDATE",
            "caseNewStatus": status,
            "message": message[:1000],
            "author": "Guichet",
            "notification": True,
        }
        return self._json(
            self._call("POST", f"/cases/{case_id}/events", credentials=credentials, body=body, repeatable=False)
        )

    def event(self, *, credentials: HubeeCredentials, case_id: str, event_id: str) -> dict:
        return self._json(self._call("GET", f"/cases/{case_id}/events/{event_id}", credentials=credentials))

    def event_attachment(
        self, *, credentials: HubeeCredentials, case_id: str, event_id: str, attachment_id: str
    ) -> bytes:
        return self._download(credentials, f"/cases/{case_id}/events/{event_id}/attachments/{attachment_id}")

    def event_acknowledge(self, *, credentials: HubeeCredentials, case_id: str, event_id: str) -> None:
        body = {"status": "RECEIVED"}
        self._call("PATCH", f"/cases/{case_id}/events/{event_id}", credentials=credentials, body=body)

    # Either side: files added to a case afterwards (an act issued later).

    def attachments_deposit(
        self, *, credentials: HubeeCredentials, case_id: str, attachments: list[dict], message: str
    ) -> dict:
        body = {
            "actionType": "ATTACH_DEPOSIT",
            "message": message[:1000],
            "author": "Guichet",
            "notification": True,
            "attachments": attachments,
        }
        return self._json(
            self._call("POST", f"/cases/{case_id}/events", credentials=credentials, body=body, repeatable=False)
        )

    def event_attachment_upload(
        self, *, credentials: HubeeCredentials, case_id: str, event_id: str, attachment_id: str, content: bytes
    ) -> None:
        self._attachment_put(credentials, f"/cases/{case_id}/events/{event_id}/attachments/{attachment_id}", content)

    # Sending (OSL).

    def folder_create(self, *, credentials: HubeeCredentials, folder: dict) -> dict:
        return self._json(self._call("POST", "/folders", credentials=credentials, body=folder, repeatable=False))

    def folder_attachment_upload(
        self, *, credentials: HubeeCredentials, folder_id: str, attachment_id: str, content: bytes
    ) -> None:
        self._attachment_put(credentials, f"/folders/{folder_id}/attachments/{attachment_id}", content)

    def _attachment_put(self, credentials: HubeeCredentials, path: str, content: bytes) -> None:
        """Upload an attachment's bytes, with the digest HubEE checks them against."""
        self._call("PUT", path, credentials=credentials, raw=content, headers={"digest": _digest(content)})

    def folder_complete(self, *, credentials: HubeeCredentials, folder_id: str) -> None:
        body = {"globalStatus": "HUBEE_COMPLETED"}
        self._call("PATCH", f"/folders/{folder_id}", credentials=credentials, body=body)

    def folder(self, *, credentials: HubeeCredentials, folder_id: str) -> dict:
        return self._json(self._call("GET", f"/folders/{folder_id}", credentials=credentials))
