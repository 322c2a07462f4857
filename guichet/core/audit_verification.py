"""Checking the audit trail (`manage.py audit_verify`): the hash chain recomputed from the stored
events, and the daily RFC 3161 timestamps of its head (`audit_timestamp`), each token checked against
the chain (imprint, signature, and the trusted authorities when GUICHET_AUDIT_TSA_ROOTS names them)."""

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import cms, pem, tsp, x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from .audit import GENESIS_HASH, audit_seal_all, event_hash_of
from .models import AuditChainHead, AuditEvent, AuditTimestamp


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"événement n°{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")
        return f"{where} : {self.reason}"


def _events_in_order(chunk_size: int = 2000) -> Iterator[AuditEvent]:
    yield from AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=chunk_size)


@dataclass(frozen=True)
class AuditVerification:
    events: int  # events checked (before the break, if any)
    timestamps: int  # timestamps checked (before the break, if any)
    broken: ChainBreak | None
    # Whether the tokens had to chain to the authorities' roots (GUICHET_AUDIT_TSA_ROOTS): without
    # them, a token is checked for integrity (its signature over its content) but anyone could
    # have signed it.
    trust_checked: bool = False


def audit_verify() -> tuple[int, ChainBreak | None]:
    """Seal what is waiting, then check the whole chain and its timestamps. Returns how many events
    were checked and the first break, if any (`audit_verify_report` also counts the timestamps)."""
    report = audit_verify_report()
    return report.events, report.broken


def audit_verify_report() -> AuditVerification:
    """Seal what is waiting, then check the whole chain, event by event from the first, and each
    timestamp where the chain reaches the event it covers: its signature, and its imprint against
    the hash of the chain as recomputed now. The first break stops the check."""
    report = _audit_verify_report()
    return AuditVerification(report.events, report.timestamps, report.broken, bool(settings.GUICHET_AUDIT_TSA_ROOTS))


def _audit_verify_report() -> AuditVerification:
    audit_seal_all()
    stamps = {stamp.seq: stamp for stamp in AuditTimestamp.objects.order_by("seq")}
    signatures = _signatures_checked(list(stamps.values()))
    expected_seq, prev = 1, GENESIS_HASH
    checked = stamps_checked = 0

    def broken(event: AuditEvent, reason: str) -> AuditVerification:
        # A timestamp taken after the changed event vouched for it as it was: named, for it is
        # the proof that the change came later.
        covering = next((stamp for seq, stamp in sorted(stamps.items()) if seq >= expected_seq), None)
        if covering is not None:
            reason += f" ; {_stamp_label(covering)} ne correspond plus à la chaîne"
        return AuditVerification(checked, stamps_checked, ChainBreak(event.seq, event.id, reason))

    for event in _events_in_order():
        if event.seq != expected_seq:
            return broken(event, f"l’événement n°{expected_seq} qui le précède a été supprimé")
        if event.prev_hash != prev:
            return broken(event, "son lien vers l’événement précédent a été modifié")
        if event_hash_of(event) != event.hash:
            return broken(event, "son contenu a été modifié après son enregistrement")
        checked += 1
        expected_seq, prev = event.seq + 1, event.hash
        stamp = stamps.get(event.seq)
        if stamp is not None:
            if problem := _stamp_problem(stamp, chain_hash=event.hash, signature=signatures[stamp.seq]):
                return AuditVerification(checked, stamps_checked, ChainBreak(event.seq, event.id, problem))
            stamps_checked += 1
    last = expected_seq - 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (last, prev):
        return AuditVerification(
            checked,
            stamps_checked,
            ChainBreak(head.seq, None, f"la chaîne s’arrête à l’événement n°{last} : la fin a été supprimée"),
        )
    beyond = [stamp for seq, stamp in sorted(stamps.items()) if seq > last]
    if beyond:  # the end of the chain and its head removed together: the timestamp still knew them
        return AuditVerification(
            checked,
            stamps_checked,
            ChainBreak(
                beyond[0].seq,
                None,
                f"{_stamp_label(beyond[0])} couvre l’événement n°{beyond[0].seq}, mais la chaîne s’arrête à "
                f"l’événement n°{last} : la fin a été supprimée",
            ),
        )
    return AuditVerification(checked, stamps_checked, None)


# The audit chain's timestamps (RFC 3161): once a day the chain's head is signed, with the time,
# by a timestamping authority, so that rewriting the chain (events changed and every later hash
# recomputed, which the chain alone cannot reveal) no longer goes unnoticed (decision 0001).


class AuditTimestampError(Exception):
    """The authority answered a token that does not cover the head it was asked to timestamp."""


def audit_timestamp(*, timestamper: Callable[[bytes], bytes], tsa_url: str) -> AuditTimestamp | None:
    """Seal what waits, then have the chain's head timestamped: `timestamper` takes the digest to
    timestamp (the head's hash, 32 bytes: the SHA-256 of the head event's canonical JSON) and gives
    the authority's token (DER, an RFC 3161 TimeStampToken). Returns the stored timestamp, or None
    when the head did not move since the last one (or another process just took it).

    No lock is held while the authority answers: the sealer goes on. Whatever `timestamper` raises
    (the authority is down) reaches the caller and nothing is stored; the next round covers all the
    events since the last timestamp. The timestamp is itself an append-only record of the audit
    trail, so no audit event is recorded for it (one would move the head it just covered)."""
    audit_seal_all()
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    last = AuditTimestamp.objects.order_by("-seq").values_list("seq", flat=True).first()
    if last is not None and last >= head.seq:
        return None
    digest = bytes.fromhex(head.hash)
    token = timestamper(digest)
    info = _token_info(token)
    if info is None or info["message_imprint"]["hashed_message"].native != digest:
        raise AuditTimestampError(
            f"L’autorité d’horodatage ({tsa_url}) a répondu un jeton qui ne couvre pas la fin de la chaîne d’audit."
        )
    try:
        with transaction.atomic():
            return AuditTimestamp.objects.create(
                seq=head.seq,
                head_hash=head.hash,
                token=token,
                authority_time=info["gen_time"].native,
                tsa_url=tsa_url,
            )
    except IntegrityError:  # another process timestamped the same head meanwhile
        return None


def _token_info(token: bytes) -> tsp.TSTInfo | None:
    """What the authority signed (TSTInfo), or None when the token is no RFC 3161 token."""
    try:
        content = cms.ContentInfo.load(bytes(token))
        if content["content_type"].native != "signed_data":
            return None
        info = content["content"]["encap_content_info"]["content"].parsed
        info.native  # noqa: B018 (parses it all now: a broken token fails here, not later)
    except (ValueError, TypeError, KeyError):
        return None
    return info if isinstance(info, tsp.TSTInfo) else None


def _stamp_label(stamp: AuditTimestamp) -> str:
    info = _token_info(stamp.token)
    # The authority's signed time when the token is readable: the stored column could be changed.
    moment: datetime = info["gen_time"].native if info is not None else stamp.authority_time
    return f"l’horodatage du {moment.astimezone(UTC):%d/%m/%Y à %H:%M:%S} UTC (événement n°{stamp.seq})"


def _stamp_problem(stamp: AuditTimestamp, *, chain_hash: str, signature: dict[str, Any] | None) -> str | None:
    """What is wrong with a stored timestamp, checked against the hash of the chain at its rank
    (recomputed from the events): None when it is readable, covers that hash, and its `signature`
    (pyHanko's status, None when it could not be read) is intact, valid and, when trust roots are
    configured (GUICHET_AUDIT_TSA_ROOTS), from a trusted authority."""
    label = _stamp_label(stamp)
    info = _token_info(stamp.token)
    if info is None:
        return f"{label} est illisible : son jeton a été modifié"
    imprint = info["message_imprint"]
    algorithm, hashed = imprint["hash_algorithm"]["algorithm"].native, imprint["hashed_message"].native
    if algorithm != "sha256" or hashed != bytes.fromhex(chain_hash):
        return f"{label} ne correspond plus à la chaîne : les événements qu’il couvre ont été réécrits"
    if stamp.head_hash != chain_hash:
        return f"{label} ne correspond plus à la chaîne : l’empreinte enregistrée avec lui a été modifiée"
    if signature is None or not (signature["intact"] and signature["valid"]):
        return f"{label} n’est plus valide : la signature de l’autorité ne correspond pas à son contenu"
    problem = signature["trust_problem_indic"]
    if settings.GUICHET_AUDIT_TSA_ROOTS and problem is not None:
        return f"{label} n’est pas signé par une autorité d’horodatage de confiance ({problem})"
    return None


def _signatures_checked(stamps: list[AuditTimestamp]) -> dict[int, dict[str, Any] | None]:
    """pyHanko's check of each token's signature, by rank: intact (over what the token says it
    covers: `_stamp_problem` compares that with the chain), valid, and its certificate's path to
    the trust roots at the authority's time (none configured: no path, and trust is not asked).
    None for a token that cannot be read. All in one event loop: a year of the chain is 365 tokens."""
    if not stamps:
        return {}
    # pyHanko is heavy: loaded only when there is a timestamp to check.
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data  # noqa: PLC0415
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415

    roots = _trust_roots()

    async def check(stamp: AuditTimestamp) -> dict[str, Any] | None:
        info = _token_info(stamp.token)
        if info is None:
            return None
        imprint = info["message_imprint"]["hashed_message"].native
        context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=info["gen_time"].native)
        try:
            signed_data = cms.ContentInfo.load(bytes(stamp.token))["content"]
            return await validate_tst_signed_data(signed_data, context, lambda algorithm: imprint)
        except (ValueError, TypeError, KeyError):  # pyHanko's SignatureValidationError is a ValueError
            return None

    async def check_all() -> dict[int, dict[str, Any] | None]:
        return {stamp.seq: await check(stamp) for stamp in stamps}

    return _run(check_all())


class AuditTrustRootsUnreadable(ImproperlyConfigured):
    """GUICHET_AUDIT_TSA_ROOTS names a file that is missing, unreadable or holds no certificate."""


def trust_roots_problem(path: str) -> str | None:
    """What is wrong with the trust roots' file `path`, in words for the person who installs
    Guichet; None when it holds at least one certificate."""
    try:
        trust_roots_read(path)
    except AuditTrustRootsUnreadable as error:
        return str(error)
    return None


def trust_roots_read(path: str) -> list[x509.Certificate]:
    """The certificates of a PEM file; AuditTrustRootsUnreadable, with a clear message, otherwise."""
    where = f"Le fichier des certificats racines des autorités d’horodatage (GUICHET_AUDIT_TSA_ROOTS = {path})"
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise AuditTrustRootsUnreadable(f"{where} est introuvable.") from None
    except OSError as error:
        raise AuditTrustRootsUnreadable(f"{where} ne peut pas être lu ({error.strerror}).") from None
    try:
        roots = [
            x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"
        ]
        for root in roots:
            root.native  # noqa: B018 (parsed now, so that a damaged certificate is told here)
    except (ValueError, TypeError) as error:
        raise AuditTrustRootsUnreadable(f"{where} n’est pas un fichier PEM de certificats lisible ({error}).") from None
    if not roots:
        raise AuditTrustRootsUnreadable(f"{where} ne contient aucun certificat (« BEGIN CERTIFICATE »).")
    return roots


def _trust_roots() -> list[x509.Certificate]:
    """The authorities' root certificates that GUICHET_AUDIT_TSA_ROOTS names (a PEM file)."""
    if not settings.GUICHET_AUDIT_TSA_ROOTS:
        return []
    return trust_roots_read(settings.GUICHET_AUDIT_TSA_ROOTS)


def _run(coroutine):
    # In a thread of its own: the caller may already be running an event loop.
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()
