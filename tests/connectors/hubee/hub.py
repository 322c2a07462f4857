"""The stand-in HubEE's memory and rules (stand_in.py serves them over HTTP), after HubEE's
documented contract (Swagger api_folder_v1.2.7 of dinum-HubEE/Documentations,
/work/shared/reference/connectors.md §3.1): clients per démarche and actor type, tokens that expire,
folders made by an OSL with one case per recipient organisation, attachments uploaded with their
SHA-256, notifications to each side, events (STATUS_UPDATE with the documented case statuses,
acknowledged RECEIVED; hub_cases.py: the cases' side)."""

import base64
import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

from .hub_cases import CASE_STATUSES, CaseEvents, HubError, now

FOLDER_STATUSES = ("HUBEE_RECEIVED", "HUBEE_COMPLETED", *CASE_STATUSES)


@dataclass
class Client:
    client_id: str
    secret: str
    scope: str  # "SI" or "OSL"
    process_code: str
    organisation: dict  # {"type", "companyRegister", "branchCode"}


@dataclass
class Hub(CaseEvents):
    token_lifetime: int = 3600  # seconds, as `expires_in` says
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, tuple[Client, float]] = field(default_factory=dict)
    folders: dict[str, dict] = field(default_factory=dict)
    cases: dict[str, dict] = field(default_factory=dict)
    binaries: dict[str, bytes] = field(default_factory=dict)  # attachment id → content
    notifications: dict[str, dict] = field(default_factory=dict)
    tokens_issued: int = 0
    # Ids drawn from the folders' references (the demo's: the same cases after a restart), else random.
    deterministic: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)

    def _id(self, *parts: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)) if self.deterministic else uuid.uuid4())

    # Clients and tokens.

    def client_add(
        self, *, scope: str, process_code: str, siret: str, branch_code: str = "", secret: str = "", client_id: str = ""
    ) -> Client:
        client = Client(
            client_id=client_id or f"{process_code}-{scope}-{secrets.token_hex(4)}",
            secret=secret or secrets.token_urlsafe(16),
            scope=scope,
            process_code=process_code,
            organisation={"type": scope, "companyRegister": siret, "branchCode": branch_code or siret[-5:]},
        )
        self.clients[client.client_id] = client
        return client

    def token_issue(self, *, authorization: str, form: dict[str, str]) -> dict:
        if form.get("grant_type") != "client_credentials":
            raise HubError(400, "unsupported_grant_type")
        try:
            scheme, encoded = authorization.split(" ", 1)
            client_id, secret = base64.b64decode(encoded).decode().split(":", 1)
        except ValueError:
            raise HubError(401, "invalid_client") from None
        client = self.clients.get(client_id)
        if scheme != "Basic" or client is None or not secrets.compare_digest(client.secret, secret):
            raise HubError(401, "invalid_client")
        if form.get("scope") != client.scope:
            raise HubError(400, "invalid_scope")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = (client, time.monotonic() + self.token_lifetime)
            self.tokens_issued += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime, "scope": client.scope}

    def tokens_expire(self) -> None:
        """Every token issued expires now (HubEE answers 401 to them), although clients think otherwise."""
        with self.lock:
            self.tokens = {token: (client, 0.0) for token, (client, _) in self.tokens.items()}

    def authenticate(self, authorization: str) -> Client:
        token = authorization.removeprefix("Bearer ").strip()
        kept = self.tokens.get(token)
        if not authorization.startswith("Bearer ") or kept is None or kept[1] <= time.monotonic():
            raise HubError(401, "Invalid Credentials")
        return kept[0]

    # Notifications.

    def _notify(self, *, recipient: dict, transmitter: dict, case: dict, event_id: str | None) -> None:
        notification_id = str(uuid.uuid4())
        self.notifications[notification_id] = {
            "id": notification_id,
            "recipient": recipient,
            "transmitter": transmitter,
            "processCode": case["processCode"],
            "caseId": case["id"],
            "eventId": event_id,
            "dateTime": now(),
        }

    def notifications_for(self, client: Client, max_result: int) -> list[dict]:
        mine = [
            notification
            for notification in self.notifications.values()
            if notification["recipient"]["companyRegister"] == client.organisation["companyRegister"]
            and notification["recipient"]["type"] == client.scope
            and notification["processCode"] == client.process_code
        ]
        return mine[:max_result]

    def notification_delete(self, client: Client, notification_id: str) -> None:
        notification = self.notifications.get(notification_id)
        if notification is None or notification not in self.notifications_for(client, len(self.notifications)):
            raise HubError(404, "Notification is not found")
        del self.notifications[notification_id]

    def redeliver(self, case_id: str) -> None:
        """HubEE tells the case again (as after a recipient's acknowledgement was lost)."""
        case = self.cases[case_id]
        with self.lock:
            self._notify(recipient=case["recipient"], transmitter=case["transmitter"], case=case, event_id=None)

    # Folders (OSL).

    def folder_create(self, client: Client, body: dict) -> dict:
        if client.scope != "OSL":
            raise HubError(403, "Unauthorized user")
        missing = [
            name for name in ("processCode", "externalId", "applicant", "cases", "attachments") if not body.get(name)
        ]
        if missing:
            raise HubError(400, f"Bad Request : Validation failed. Object has missing required properties ({missing})")
        if body["processCode"] != client.process_code:
            raise HubError(403, "Unauthorized user")
        applicant = body["applicant"]
        if not applicant.get("firstName") or not applicant.get("lastName"):
            raise HubError(400, "Bad Request : applicant firstName and lastName are required")
        folder_id = self._id("folder", body["externalId"])
        folder = {**body, "id": folder_id, "globalStatus": "HUBEE_RECEIVED", "createDateTime": now(), "cases": []}
        externals = set()
        for given in body["cases"]:
            recipient = given.get("recipient") or {}
            if not str(recipient.get("companyRegister", "")).isdigit() or len(recipient["companyRegister"]) != 14:
                raise HubError(400, "Bad Request : recipient.companyRegister must be 14 digits")
            externals.add(given["externalId"])
            case_id = self._id("case", body["externalId"], given["externalId"])
            folder["cases"].append({**given, "id": case_id, "status": "HUBEE_RECEIVED"})
        folder["attachments"] = []
        for index, given in enumerate(body["attachments"]):
            if not set(given.get("recipients") or []) <= externals or not given.get("recipients"):
                raise HubError(400, "Bad Request : attachment recipients must name the folder's cases")
            attachment_id = self._id("attachment", body["externalId"], str(index))
            folder["attachments"].append({**given, "id": attachment_id, "status": "PENDING"})
        with self.lock:
            self.folders[folder_id] = folder
        return folder

    def _folder_of(self, client: Client, folder_id: str) -> dict:
        folder = self.folders.get(folder_id)
        if folder is None or folder["processCode"] != client.process_code or client.scope != "OSL":
            raise HubError(404, "Folder is not found")
        return folder

    def attachment_upload(
        self, client: Client, folder_id: str, attachment_id: str, content: bytes, digest: str
    ) -> None:
        folder = self._folder_of(client, folder_id)
        attachment = next((item for item in folder["attachments"] if item["id"] == attachment_id), None)
        if attachment is None:
            raise HubError(404, "Binary meta-data is not found")
        if digest != base64.b64encode(hashlib.sha256(content).digest()).decode():
            attachment["status"] = "CORRUPTED"
            raise HubError(400, "Bad request : digest does not match the binary")
        attachment["status"] = "RECEIVED"
        self.binaries[attachment_id] = content

    def folder_complete(self, client: Client, folder_id: str, status: str) -> None:
        folder = self._folder_of(client, folder_id)
        if status != "HUBEE_COMPLETED" or folder["globalStatus"] != "HUBEE_RECEIVED":
            raise HubError(400, "Bad request")
        if any(item["status"] != "RECEIVED" for item in folder["attachments"]):
            raise HubError(400, "Bad request : some attachments were not uploaded")
        folder["globalStatus"] = "HUBEE_COMPLETED"
        transmitter = {"type": "OSL", **{k: client.organisation[k] for k in ("companyRegister", "branchCode")}}
        with self.lock:
            for case in folder["cases"]:
                case["status"] = "HUBEE_NOTIFIED"
                self._case_publish(folder, case, transmitter)

    def _case_publish(self, folder: dict, case: dict, transmitter: dict) -> None:
        recipient = {"type": "SI", **{k: case["recipient"][k] for k in ("companyRegister", "branchCode")}}
        attachments = [
            {key: item[key] for key in ("id", "fileName", "type", "size", "mimeType", "status")}
            for item in folder["attachments"]
            if case["externalId"] in item["recipients"]
        ]
        stored = {
            "id": case["id"],
            "folderId": folder["id"],
            "status": case["status"],
            "recipient": recipient,
            "transmitter": transmitter,
            "externalId": case["externalId"],
            "processCode": folder["processCode"],
            "createDateTime": now(),
            "applicant": folder["applicant"],
            "attachments": attachments,
            "events": [],
        }
        self.cases[case["id"]] = stored
        self._notify(recipient=recipient, transmitter=transmitter, case=stored, event_id=None)

    def folder_deposit(
        self,
        *,
        osl: Client,
        recipient_siret: str,
        applicant: dict,
        files: list[tuple[str, str, str, bytes]],
        external_id: str = "",
    ) -> dict:
        """What an online service (service-public.fr) does, in one go: a folder for one recipient
        with `files` (name, type, MIME type, content), uploaded and completed. Returns its case."""
        external_id = external_id or f"{osl.process_code}-{secrets.token_hex(6)}"
        body = {
            "processCode": osl.process_code,
            "externalId": external_id,
            "applicant": applicant,
            "cases": [
                {
                    "externalId": f"{external_id}-01",
                    "recipient": {"type": "SI", "companyRegister": recipient_siret, "branchCode": recipient_siret[-5:]},
                }
            ],
            "attachments": [
                {
                    "fileName": name,
                    "type": kind,
                    "mimeType": mime,
                    "size": len(content),
                    "recipients": [f"{external_id}-01"],
                }
                for name, kind, mime, content in files
            ],
        }
        folder = self.folder_create(osl, body)
        for item, (_, _, _, content) in zip(folder["attachments"], files, strict=True):
            digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
            self.attachment_upload(osl, folder["id"], item["id"], content, digest)
        self.folder_complete(osl, folder["id"], "HUBEE_COMPLETED")
        return self.cases[folder["cases"][0]["id"]]

    def folder_view(self, client: Client, folder_id: str) -> dict:
        folder = self._folder_of(client, folder_id)
        cases = [{**case, "status": self.cases.get(case["id"], case)["status"]} for case in folder["cases"]]
        return {**folder, "cases": cases}
