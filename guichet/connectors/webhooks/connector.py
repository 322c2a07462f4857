"""Webhooks over HTTP, signed per Standard Webhooks (signing.py), to checked targets only
(targets.py). Settings: GUICHET_WEBHOOKS_ALLOWED_NETWORKS (networks that may receive webhooks
although internal: the tests allow 127.0.0.1/32), GUICHET_WEBHOOKS_HTTPS_ONLY, GUICHET_WEBHOOKS_TIMEOUT
(seconds to connect, and for each read)."""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from django.conf import settings

from ..base import ConnectorNotConfigured, WebhookConnector
from .client import Answer, webhook_post
from .signing import signature_header
from .targets import Network, Target, networks_parse, target_resolve


@dataclass(frozen=True)
class HttpWebhooks(WebhookConnector):
    name = "webhooks"
    setting_names = ("GUICHET_WEBHOOKS_ALLOWED_NETWORKS", "GUICHET_WEBHOOKS_HTTPS_ONLY", "GUICHET_WEBHOOKS_TIMEOUT")

    allowed: tuple[Network, ...]
    https_only: bool
    timeout: float

    @classmethod
    def configured(cls) -> bool:
        return True

    @classmethod
    def from_settings(cls) -> Self:
        try:
            allowed = networks_parse(tuple(settings.GUICHET_WEBHOOKS_ALLOWED_NETWORKS))
        except ValueError as error:
            raise ConnectorNotConfigured(f"GUICHET_WEBHOOKS_ALLOWED_NETWORKS: {error}") from error
        return cls(
            allowed=allowed,
            https_only=bool(settings.GUICHET_WEBHOOKS_HTTPS_ONLY),
            timeout=float(settings.GUICHET_WEBHOOKS_TIMEOUT),
        )

    def target_check(self, url: str) -> Target:
        return target_resolve(url, allowed=self.allowed, https_only=self.https_only)

    def send(self, *, url: str, msg_id: str, body: bytes, secrets: Sequence[str]) -> Answer:
        target = self.target_check(url)  # resolved again at each attempt, and connected to as checked
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Guichet-Webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(secrets_=secrets, msg_id=msg_id, timestamp=timestamp, body=body),
        }
        return webhook_post(target=target, body=body, headers=headers, timeout=self.timeout)
