"""What a hub that carries dossiers between administrations (HubEE) offers the exchanges app: the
receiving side's calls, the sending side's, and the events either side adds to a case afterwards
(a status, files deposited)."""

from abc import abstractmethod

from .base import Connector


class DataExchangeConnector(Connector):
    """A hub that carries dossiers between administrations (HubEE): the receiving side polls its
    notifications, reads each case and its attachments, sends the case's statuses back and
    acknowledges; the sending side deposits folders with their attachments. Every call takes the
    démarche's credentials (connectors.hubee.client.HubeeCredentials): one pair per démarche."""

    capability = "data_exchange"

    @abstractmethod
    def notifications(self, *, credentials, max_result: int = 50) -> list[dict]:
        """The notifications waiting for these credentials (new cases, events on them)."""

    @abstractmethod
    def notification_delete(self, *, credentials, notification_id: str) -> None:
        """Done with a notification (one already deleted is not an error)."""

    @abstractmethod
    def case(self, *, credentials, case_id: str) -> dict:
        """A case: its applicant, external id, status, attachments' descriptions."""

    @abstractmethod
    def case_attachment(self, *, credentials, case_id: str, attachment_id: str) -> bytes:
        """One attachment's content."""

    @abstractmethod
    def status_send(self, *, credentials, case_id: str, status: str, message: str) -> dict:
        """Tell the case's new status (the event made); not repeated blindly (ConnectorOutcomeUnknown)."""

    @abstractmethod
    def event(self, *, credentials, case_id: str, event_id: str) -> dict:
        """One event on a case (a status update from the other side, a message…)."""

    @abstractmethod
    def event_attachment(self, *, credentials, case_id: str, event_id: str, attachment_id: str) -> bytes:
        """The content of one attachment that an event describes (a file the other side added later);
        HubeeNotFound while it is not uploaded yet."""

    @abstractmethod
    def event_acknowledge(self, *, credentials, case_id: str, event_id: str) -> None:
        """The event is taken into account (its status RECEIVED)."""

    @abstractmethod
    def folder_create(self, *, credentials, folder: dict) -> dict:
        """Deposit a folder's description: its cases and attachments get their ids."""

    @abstractmethod
    def folder_attachment_upload(self, *, credentials, folder_id: str, attachment_id: str, content: bytes) -> None:
        """Upload one attachment's content, with its digest."""

    @abstractmethod
    def folder_complete(self, *, credentials, folder_id: str) -> None:
        """Every attachment is there: the folder's cases go to their recipients."""

    @abstractmethod
    def folder(self, *, credentials, folder_id: str) -> dict:
        """A folder as the hub sees it, with its cases' statuses."""

    @abstractmethod
    def attachments_deposit(self, *, credentials, case_id: str, attachments: list[dict], message: str) -> dict:
        """Add files to a case afterwards (an act issued later), described in a new event that tells
        the other side: the event, its attachments with their ids; not repeated blindly."""

    @abstractmethod
    def event_attachment_upload(
        self, *, credentials, case_id: str, event_id: str, attachment_id: str, content: bytes
    ) -> None:
        """Upload the content of one attachment that an event describes, with its digest."""
