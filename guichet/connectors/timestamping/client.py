"""The RFC 3161 client: pyHanko's `TimeStamper` makes the request (with a nonce) and checks the
answer; the exchange goes through the connectors' HTTP policy, and every failure is a
ConnectorError."""

import asyncio

from asn1crypto import cms, core, tsp
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.timestamps.common_utils import set_tsp_headers

from ..base import ConnectorRejected
from ..http import HttpPolicy, http_post

SYSTEM = "L’autorité d’horodatage"
REPLY_TYPE = "application/timestamp-reply"


class _Reply(core.Sequence):
    # RFC 3161 §2.4.2: a refusal carries no token, which asn1crypto's TimeStampResp cannot read.
    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


def _reply_read(content: bytes) -> tsp.TimeStampResp:
    """The authority's reply, its status read here: a refusal gives the authority's reasons, an
    unreadable reply a ConnectorRejected rather than a parsing error deep in pyHanko. The token is
    left to pyHanko, untouched (asn1crypto writes a parsed structure back field by field: seconds)."""
    try:
        status = _Reply.load(content)["status"].native
    except (ValueError, TypeError) as error:
        raise ConnectorRejected(f"{SYSTEM} a répondu un horodatage illisible : {error}") from error
    if status["status"] != "granted":
        reasons = [*(status["status_string"] or []), *sorted(status["fail_info"] or [])]
        raise ConnectorRejected(f"{SYSTEM} a refusé l’horodatage ({status['status']}) : {'; '.join(reasons)}")
    return tsp.TimeStampResp.load(content)


class Rfc3161Client(TimeStamper):
    def __init__(self, *, url: str, policy: HttpPolicy):
        super().__init__()
        self.url = url
        self.policy = policy

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        response = await asyncio.to_thread(
            http_post, self.url, data=req.dump(), headers=set_tsp_headers({}), policy=self.policy, system=SYSTEM
        )
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type != REPLY_TYPE:
            raise ConnectorRejected(f"{SYSTEM} a répondu autre chose qu’un horodatage ({content_type or 'sans type'})")
        return _reply_read(response.content)

    async def async_timestamp(self, message_digest, md_algorithm):
        try:
            return await super().async_timestamp(message_digest, md_algorithm)
        except TimestampRequestError as error:  # pyHanko's own checks of the token: the nonce
            raise ConnectorRejected(f"{SYSTEM} : {error}") from error
