"""The audit chain's daily timestamp (core's `audit_timestamp`, decision 0001), asked of the
authority that the registry gives for "audit_timestamp". A failure is logged and left to the next
round: nothing is stored, nothing is lost (the next token covers every event since the last one)."""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from guichet.core.audit_verification import AuditTimestampError, audit_timestamp
from guichet.core.models import AuditTimestamp

from ..base import ConnectorError
from ..registry import connector_for

logger = logging.getLogger(__name__)


class TimestampRound(NamedTuple):
    stamp: AuditTimestamp | None  # the new timestamp; None when there was nothing to do or it failed
    failure: str | None = None  # why it failed, for the people who run the platform
    configured: bool = True  # False: no authority is configured (development)


def audit_chain_timestamp() -> TimestampRound:
    """One round: the chain's head timestamped when it moved since the last timestamp. Never
    raises for the authority's sake (unreachable, refusing, answering nonsense): the loop that
    runs it goes on, and the next round tries again."""
    authority = connector_for("audit_timestamp")
    if authority is None:
        return TimestampRound(None, configured=False)
    client = authority.timestamper()

    def token_for(digest: bytes) -> bytes:
        # In a thread of its own: the caller may already be running an event loop.
        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(asyncio.run, client.async_timestamp(digest, "sha256")).result().dump()

    try:
        return TimestampRound(audit_timestamp(timestamper=token_for, tsa_url=authority.url))
    except (ConnectorError, AuditTimestampError) as error:
        logger.warning("The audit chain's head was not timestamped (the next round tries again): %s", error)
        return TimestampRound(None, failure=str(error))
