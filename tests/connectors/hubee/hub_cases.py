"""The stand-in HubEE's cases and events (hub.py holds the clients, folders and notifications), after
Swagger api_folder_v1.2.7: `GET /cases/{id}` and its attachments, read by either side of the case
(the recipient's information system, SI, or the online service that sent it, OSL);
`POST /cases/{id}/events`: a STATUS_UPDATE by the SI (a documented case status), an
ATTACH_DEPOSIT by either side (attachments described in the event, each then uploaded with
`PUT /cases/{id}/events/{ev}/attachments/{att}` and its SHA-256 in `digest`, and read with `GET` on
the same path by either side, 404 « File is not found » until it is uploaded), or a message by
either side (SENDING_MESSAGE, COM_ADD: its `message`, and a `comment` meant for the SI);
`GET`/`PATCH` an event."""

import base64
import datetime as dt
import hashlib
import uuid

CASE_STATUSES = (
    "HUBEE_NOTIFIED",
    "SENT",
    "SI_RECEIVED",
    "SI_INTG_ERROR",
    "IN_PROGRESS",
    "ADD_AWAITING",
    "REFUSED",
    "DONE",
    "CLOSED",
)
_ATTACHMENT_FIELDS = ("fileName", "type", "size", "mimeType")
MESSAGE_ACTIONS = ("SENDING_MESSAGE", "COM_ADD")
TEXT_MAX = 1000  # the Swagger's maxLength of an event's `message` and `comment`


class HubError(Exception):
    """An answer in HubEE's error shape: `{"errors": [{"code", "message"}]}`."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def digest_of(content: bytes) -> str:
    return base64.b64encode(hashlib.sha256(content).digest()).decode()


class CaseEvents:
    """What HubEE does with cases and their events (mixed into hub.Hub, whose fields it uses)."""

    def _side(self, client, case: dict) -> str:
        """Which side of `case` the client is ("SI" or "OSL"); 403 when neither."""
        side = case["recipient"] if client.scope == "SI" else case["transmitter"]
        if client.scope not in ("SI", "OSL") or side["companyRegister"] != client.organisation["companyRegister"]:
            raise HubError(403, "Unauthorized user")
        return client.scope

    def case_of(self, client, case_id: str) -> dict:
        case = self.cases.get(case_id)
        if case is None or case["processCode"] != client.process_code:
            raise HubError(404, "Case is not found")
        self._side(client, case)
        return case

    def event_of_either_side(self, client, case_id: str, event_id: str) -> dict:
        """An event read by the case's recipient (SI) or by the online service that sent it (OSL)."""
        case = self.case_of(client, case_id)
        event = next((item for item in case["events"] if item["id"] == event_id), None)
        if event is None:
            raise HubError(404, "Event is not found")
        return event

    def case_attachment(self, client, case_id: str, attachment_id: str) -> bytes:
        case = self.case_of(client, case_id)
        if not any(item["id"] == attachment_id for item in case["attachments"]):
            raise HubError(404, "Attachment is not found")
        return self.binaries[attachment_id]

    def event_create(self, client, case_id: str, body: dict) -> dict:
        case = self.case_of(client, case_id)
        side = self._side(client, case)
        action = body.get("actionType")
        if case["status"] == "CLOSED":
            raise HubError(400, "Bad request : the case is closed")
        if any(len(body.get(name) or "") > TEXT_MAX for name in ("message", "comment")):
            raise HubError(400, f"Bad request : message and comment are at most {TEXT_MAX} characters")
        event = {
            "id": str(uuid.uuid4()),
            "transmitter": case["recipient"] if side == "SI" else case["transmitter"],
            "actionType": action,
            "message": body.get("message"),
            "comment": body.get("comment"),
            "author": body.get("author"),
            "notification": bool(body.get("notification")),
            "caseCurrentStatus": case["status"],
            "caseNewStatus": case["status"],
            "status": "SENT",
            "createDateTime": now(),
            "updateDateTime": now(),
            "attachments": [],
        }
        if action == "STATUS_UPDATE":
            if side != "SI":
                raise HubError(403, "Unauthorized user")
            if body.get("caseNewStatus") not in CASE_STATUSES:
                raise HubError(400, f"Bad request : caseNewStatus {body.get('caseNewStatus')!r} is not a case status")
            event["caseNewStatus"] = body["caseNewStatus"]
        elif action == "ATTACH_DEPOSIT":
            given = body.get("attachments") or []
            if not given or any(not item.get(name) for item in given for name in _ATTACHMENT_FIELDS):
                raise HubError(400, f"Bad request : attachments need {', '.join(_ATTACHMENT_FIELDS)}")
            event["attachments"] = [
                {**{name: item[name] for name in _ATTACHMENT_FIELDS}, "id": str(uuid.uuid4()), "status": "PENDING"}
                for item in given
            ]
        elif action in MESSAGE_ACTIONS:
            if not (body.get("message") or "").strip():
                raise HubError(400, "Bad request : a message event needs its message")
        else:
            raise HubError(400, "Bad request : actionType")
        with self.lock:
            case["status"] = event["caseNewStatus"]
            case["events"].append(event)
            if event["notification"]:
                other = case["transmitter"] if side == "SI" else case["recipient"]
                self._notify(recipient=other, transmitter=event["transmitter"], case=case, event_id=event["id"])
        return event

    def event_attachment_upload(
        self, client, case_id: str, event_id: str, attachment_id: str, content: bytes, digest: str
    ) -> None:
        event = self.event_of_either_side(client, case_id, event_id)
        attachment = next((item for item in event["attachments"] if item["id"] == attachment_id), None)
        if attachment is None:
            raise HubError(404, "Binary meta-data is not found")
        if digest != digest_of(content):
            attachment["status"] = "CORRUPTED"
            raise HubError(400, "Bad request : digest does not match the binary")
        attachment["status"] = "RECEIVED"
        self.binaries[attachment_id] = content

    def event_attachment(self, client, case_id: str, event_id: str, attachment_id: str) -> bytes:
        """A file that an event describes, for the case's two sides only (404 for anyone else, as
        for a file not uploaded yet: « File is not found »)."""
        try:
            event = self.event_of_either_side(client, case_id, event_id)
        except HubError as error:
            raise HubError(404, "File is not found") from error
        attachment = next((item for item in event["attachments"] if item["id"] == attachment_id), None)
        if attachment is None or attachment["status"] != "RECEIVED":
            raise HubError(404, "File is not found")
        return self.binaries[attachment_id]

    def event_post(
        self,
        client,
        case_id: str,
        *,
        action: str,
        message: str = "",
        author: str = "",
        comment: str = "",
        files: list[tuple[str, str, str, bytes]] = (),
        upload: bool = True,
    ) -> dict:
        """What a side does in one go: an event on the case that notifies the other side, with `files`
        (name, type, MIME type, content) described, then uploaded unless `upload` is False."""
        body = {"actionType": action, "message": message, "author": author, "comment": comment, "notification": True}
        if files:
            body["attachments"] = [
                {"fileName": name, "type": kind, "mimeType": mime, "size": len(content)}
                for name, kind, mime, content in files
            ]
        event = self.event_create(client, case_id, body)
        for item, (_, _, _, content) in zip(event["attachments"], files, strict=True):
            if upload:
                self.event_attachment_upload(client, case_id, event["id"], item["id"], content, digest_of(content))
        return event

    def statuses_sent(self, case_id: str) -> list[str]:
        return [
            event["caseNewStatus"] for event in self.cases[case_id]["events"] if event["actionType"] == "STATUS_UPDATE"
        ]

    def deposited(self, case_id: str) -> list[tuple[str, bytes | None]]:
        """The files deposited on the case by events: (file name, content once uploaded)."""
        return [
            (item["fileName"], self.binaries.get(item["id"]))
            for event in self.cases[case_id]["events"]
            if event["actionType"] == "ATTACH_DEPOSIT"
            for item in event["attachments"]
        ]
