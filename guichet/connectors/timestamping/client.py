"""The RFC 3161 client: pyHanko's `TimeStamper` makes the request (with a nonce) and checks the
answer; the exchange goes through the connectors' HTTP policy, and every failure is a
ConnectorError."""

import asyncio

from asn1crypto import tsp
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.timestamps.common_utils import set_tsp_headers

from ..base import ConnectorRejected
from ..http import HttpPolicy, http_post

SYSTEM = "L’autorité d’horodatage"
REPLY_TYPE = "application/timestamp-reply"


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
        try:
            reply = tsp.TimeStampResp.load(response.content)
            reply.native  # noqa: B018 (asn1crypto parses lazily: read it all here, where a failure is ours)
        except (ValueError, TypeError) as error:
            raise ConnectorRejected(f"{SYSTEM} a répondu un horodatage illisible : {error}") from error
        return reply

    async def async_timestamp(self, message_digest, md_algorithm):
        try:
            return await super().async_timestamp(message_digest, md_algorithm)
        except TimestampRequestError as error:  # refused (status not « granted »), or a wrong nonce
            raise ConnectorRejected(f"{SYSTEM} : {error}") from error
