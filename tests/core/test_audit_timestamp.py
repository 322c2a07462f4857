"""The audit chain's head timestamped by an RFC 3161 authority (the stand-in: `openssl ts -reply`
behind HTTP), and `audit_verify` checking every token against the chain: a change made after a
timestamp is detected even when the whole chain was rewritten to hide it."""

import asyncio
import io
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from unittest import mock

import pytest
from asn1crypto import cms
from django.core.checks import Tags, run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from guichet.connectors.registry import connector_for
from guichet.connectors.seal_dev_authority.authority import dev_authority_ensure
from guichet.connectors.timestamping.audit import audit_chain_timestamp
from guichet.core.audit import audit_record, audit_seal_all, event_hash
from guichet.core.audit_verification import AuditTimestampError, audit_timestamp, audit_verify, audit_verify_report
from guichet.core.models import AppendOnlyError, AuditAction, AuditChainHead, AuditEvent, AuditTimestamp
from tests.connectors.timestamping.stand_in import GRANTED, UNAVAILABLE, stand_in_tsa
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tsa(tmp_path, settings):
    with stand_in_tsa(tmp_path / "tsa") as authority:
        settings.GUICHET_AUDIT_TSA_URL = authority.url
        yield authority


def record(count: int) -> list[AuditEvent]:
    organisation = OrganisationFactory()
    ids = [
        audit_record(actor=None, action=AuditAction.PROCEDURE_CLOSE, target=organisation, details={"i": i}).id
        for i in range(count)
    ]
    audit_seal_all()
    return list(AuditEvent.objects.filter(id__in=ids).order_by("seq"))


def tamper(sql: str, params: list) -> None:
    """Change a stored row behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rewrite_chain_from(seq: int) -> None:
    """What a careful forger does after changing an event: recompute its hash and every later
    one, and move the head, so that the chain alone verifies again."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        fields = {name: getattr(event, name) for name in ("seq", "occurred_at", "actor_id", "actor_label")}
        new = event_hash(
            **fields,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            details=event.details,
            prev_hash=prev,
        )
        tamper("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, event.id])
        prev = new
    tamper("UPDATE core_auditchainhead SET hash = %s WHERE id = 1", [prev])


def verify_command() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def timestamp_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_timestamp", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_head_is_timestamped_and_audit_verify_checks_the_token(tsa, settings):
    events = record(5)
    before = timezone.now()

    stamp = audit_chain_timestamp().stamp

    head = AuditChainHead.objects.get()
    assert (stamp.seq, stamp.head_hash) == (5, events[-1].hash) == (head.seq, head.hash)
    assert stamp.tsa_url == tsa.url and tsa.answered == [GRANTED]
    assert before - timedelta(seconds=2) <= stamp.authority_time <= timezone.now() + timedelta(seconds=2)
    # The token is the authority's, over the head's hash itself (what `openssl ts -verify -digest` checks).
    token = cms.ContentInfo.load(bytes(AuditTimestamp.objects.get().token))
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == bytes.fromhex(head.hash)
    assert token["content"]["signer_infos"][0]["sid"].chosen["serial_number"].native == tsa.certificate.serial_number

    report = audit_verify_report()
    assert (report.events, report.timestamps, report.broken) == (5, 1, None)
    assert "5 événement(s) et 1 horodatage(s) vérifié(s)" in verify_command()
    # With the authorities' roots configured, the token must chain to them: the stand-in's does.
    settings.GUICHET_AUDIT_TSA_ROOTS = str(tsa.directory / "ca.pem")
    assert audit_verify_report().timestamps == 1


def test_a_token_from_an_authority_that_is_not_trusted_is_a_break(tsa, settings, tmp_path):
    record(2)
    audit_chain_timestamp()
    other, _ = dev_authority_ensure(tmp_path / "other-authority")
    settings.GUICHET_AUDIT_TSA_ROOTS = str(other.ca_certificate)

    report = audit_verify_report()
    assert report.broken is not None and report.broken.seq == 2
    assert "n’est pas signé par une autorité d’horodatage de confiance" in report.broken.reason


def test_a_changed_event_before_a_timestamp_names_the_timestamp(tsa):
    events = record(5)
    stamp = audit_chain_timestamp().stamp
    tamper("UPDATE core_auditevent SET details = %s WHERE id = %s", ['{"i": 42}', events[1].id])

    checked, broken = audit_verify()
    assert checked == 1 and broken.seq == 2
    when = f"{stamp.authority_time:%d/%m/%Y à %H:%M:%S} UTC"
    assert f"l’horodatage du {when} (événement n°5) ne correspond plus à la chaîne" in broken.reason
    with pytest.raises(CommandError, match=f"événement n°2 .*l’horodatage du {when}"):
        verify_command()


def test_a_rewritten_chain_fools_the_hashes_but_not_the_timestamp(tsa):
    events = record(5)
    audit_chain_timestamp()
    tamper("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["quelqu.un@exemple.fr", events[2].id])
    rewrite_chain_from(3)

    report = audit_verify_report()
    assert report.events == 5  # every event is consistent with the one before it...
    assert report.timestamps == 0
    assert report.broken.seq == 5  # ...but the authority signed another head
    assert "ne correspond plus à la chaîne : les événements qu’il couvre ont été réécrits" in report.broken.reason
    with pytest.raises(CommandError, match="0 horodatage\\(s\\) intègre\\(s\\)"):
        verify_command()


def test_a_change_between_two_timestamps_names_the_later_one(tsa):
    first_events = record(3)
    first = audit_chain_timestamp().stamp
    later_events = record(2)
    second = audit_chain_timestamp().stamp
    assert (first.seq, second.seq) == (3, 5)
    assert audit_verify_report().timestamps == 2

    tamper("UPDATE core_auditevent SET object_id = %s WHERE id = %s", ["999", later_events[0].id])
    report = audit_verify_report()
    assert (report.events, report.timestamps, report.broken.seq) == (3, 1, 4)
    assert "(événement n°5) ne correspond plus" in report.broken.reason
    assert first_events[-1].seq == 3


def test_a_removed_end_with_its_head_moved_back_is_caught_by_the_timestamp(tsa):
    events = record(4)
    audit_chain_timestamp()
    tamper("DELETE FROM core_auditevent WHERE id IN (%s, %s)", [events[2].id, events[3].id])
    tamper("UPDATE core_auditchainhead SET seq = 2, hash = %s WHERE id = 1", [events[1].hash])

    report = audit_verify_report()
    assert report.events == 2 and report.broken.seq == 4
    assert "couvre l’événement n°4, mais la chaîne s’arrête à l’événement n°2" in report.broken.reason


def test_a_token_whose_signature_was_changed_is_a_break(tsa):
    record(2)
    audit_chain_timestamp()
    token = cms.ContentInfo.load(bytes(AuditTimestamp.objects.get().token))
    signature = bytearray(token["content"]["signer_infos"][0]["signature"].native)
    signature[-1] ^= 0xFF
    token["content"]["signer_infos"][0]["signature"] = bytes(signature)
    tamper("UPDATE core_audittimestamp SET token = %s", [token.dump(force=True)])

    _, broken = audit_verify()
    assert broken.seq == 2 and "la signature de l’autorité ne correspond pas à son contenu" in broken.reason


def test_nothing_is_asked_when_the_head_did_not_move(tsa):
    record(2)
    assert audit_chain_timestamp().stamp is not None
    assert audit_chain_timestamp().stamp is None
    out, _ = timestamp_command()
    assert "n’a pas avancé depuis le dernier horodatage" in out
    assert tsa.answered == [GRANTED]  # the authority was asked once
    record(1)
    assert audit_chain_timestamp().stamp.seq == 3


def test_an_empty_chain_is_not_timestamped(tsa):
    assert audit_chain_timestamp().stamp is None
    assert tsa.answered == []


def test_events_waiting_for_the_sealer_are_sealed_then_covered(tsa):
    audit_record(actor=None, action=AuditAction.PROCEDURE_CLOSE)  # not sealed yet
    out, _ = timestamp_command()
    assert "Fin de la chaîne d’audit horodatée : événement n°1" in out
    assert AuditTimestamp.objects.get().seq == 1


def test_a_token_that_does_not_cover_the_head_is_not_stored(tsa):
    record(1)
    client = connector_for("audit_timestamp").timestamper()
    with ThreadPoolExecutor(max_workers=1) as executor:  # a real token of the authority, over another digest
        other = executor.submit(asyncio.run, client.async_timestamp(b"\x00" * 32, "sha256")).result().dump()

    with pytest.raises(AuditTimestampError, match="ne couvre pas la fin de la chaîne"):
        audit_timestamp(timestamper=lambda digest: other, tsa_url=tsa.url)
    assert not AuditTimestamp.objects.exists()


def test_without_an_authority_there_is_nothing_to_do(settings):
    settings.GUICHET_AUDIT_TSA_URL = settings.GUICHET_SEAL_TSA_URL = ""
    record(1)
    assert audit_chain_timestamp().configured is False
    out, _ = timestamp_command()
    assert "Aucune autorité d’horodatage n’est configurée" in out
    assert not AuditTimestamp.objects.exists()


def test_the_seals_authority_serves_when_the_audit_has_none_of_its_own(tsa, settings):
    settings.GUICHET_AUDIT_TSA_URL = ""
    settings.GUICHET_SEAL_TSA_URL = tsa.url
    record(1)
    assert audit_chain_timestamp().stamp.tsa_url == tsa.url


def test_an_authority_down_stores_nothing_and_the_command_says_so(tsa):
    record(2)
    tsa.script = [UNAVAILABLE] * 3
    with (
        mock.patch("guichet.connectors.http.time.sleep"),  # the client's backoff between its attempts
        pytest.raises(CommandError, match="Horodatage du journal d’audit impossible : .*indisponible"),
    ):
        timestamp_command()
    assert not AuditTimestamp.objects.exists()


def test_the_loop_outlives_an_authority_down_and_the_next_round_succeeds(tsa):
    record(3)
    tsa.script = [UNAVAILABLE] * 3  # every attempt of the first round
    sleeps = []

    def sleep(seconds):  # the client's backoff between its attempts
        sleeps.append(seconds)

    def pause(stop, seconds):  # the loop's wait until its next round
        sleeps.append(seconds)
        if sleeps.count(86400) == 2:
            raise KeyboardInterrupt  # stops the loop, as the signal from serve does

    with (
        mock.patch("guichet.connectors.http.time.sleep", sleep),
        mock.patch("guichet.core.management.loop._pause", pause),
        mock.patch("guichet.core.management.loop.close_old_connections"),  # the test's transaction must stay open
        pytest.raises(KeyboardInterrupt),
    ):
        out, err = io.StringIO(), io.StringIO()
        call_command("audit_timestamp", "--every", "86400", stdout=out, stderr=err)
    assert sleeps == [0.5, 1.0, 86400, 86400]  # two backoffs, then the day's wait after each round
    assert "nouvel essai au prochain passage" in err.getvalue() and "HTTP 503" in err.getvalue()
    assert "Fin de la chaîne d’audit horodatée : événement n°3" in out.getvalue()
    assert tsa.answered == [UNAVAILABLE] * 3 + [GRANTED]
    assert audit_verify_report().timestamps == 1


def test_timestamps_cannot_be_changed_or_deleted_through_the_application(tsa):
    record(1)
    stamp = audit_chain_timestamp().stamp
    with pytest.raises(AppendOnlyError):
        AuditTimestamp.objects.filter(pk=stamp.pk).update(seq=9)
    with pytest.raises(AppendOnlyError):
        stamp.delete()


def test_a_token_verifies_outside_guichet_with_openssl(tsa, tmp_path):
    # What the README tells an auditor to run: the token, the head's hash, the authority's root.
    record(2)
    stamp = audit_chain_timestamp().stamp
    (tmp_path / "jeton.der").write_bytes(bytes(stamp.token))
    command = [tsa.openssl, "ts", "-verify", "-digest", stamp.head_hash, "-token_in"]
    command += ["-in", str(tmp_path / "jeton.der"), "-CAfile", str(tsa.directory / "ca.pem")]
    verified = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 (fixed arguments)
    assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified.stderr
    command[4] = "0" * 64  # another chain's head
    assert subprocess.run(command, capture_output=True).returncode != 0  # noqa: S603


def test_without_trust_roots_audit_verify_says_the_tokens_were_not_checked_for_trust(tsa, settings):
    record(2)
    audit_chain_timestamp()
    assert not audit_verify_report().trust_checked
    out = verify_command()
    assert "pas pour la confiance dans l’autorité" in out and "GUICHET_AUDIT_TSA_ROOTS" in out
    settings.GUICHET_AUDIT_TSA_ROOTS = str(tsa.directory / "ca.pem")
    out = verify_command()
    assert audit_verify_report().trust_checked and "pas pour la confiance" not in out


def test_a_missing_or_empty_roots_file_is_told_clearly(tsa, settings, tmp_path):
    record(2)
    audit_chain_timestamp()
    settings.GUICHET_AUDIT_TSA_ROOTS = str(tmp_path / "absent.pem")
    with pytest.raises(CommandError, match="GUICHET_AUDIT_TSA_ROOTS = .*absent.pem\\) est introuvable"):
        call_command("audit_verify", stdout=io.StringIO())
    (tmp_path / "empty.pem").write_text("pas un certificat\n")
    settings.GUICHET_AUDIT_TSA_ROOTS = str(tmp_path / "empty.pem")
    with pytest.raises(CommandError, match="n’est pas un fichier PEM de certificats lisible"):
        call_command("audit_verify", stdout=io.StringIO())


def test_check_deploy_warns_of_a_timestamped_chain_without_trust_roots(settings, tmp_path):
    def deploy_issues() -> dict[str, str]:
        issues = run_checks(include_deployment_checks=True, tags=[Tags.security])
        return {issue.id: issue.msg for issue in issues if issue.id.startswith("guichet.")}

    settings.GUICHET_AUDIT_TSA_URL = settings.GUICHET_SEAL_TSA_URL = settings.GUICHET_AUDIT_TSA_ROOTS = ""
    assert deploy_issues() == {}  # no authority: nothing to trust
    settings.GUICHET_AUDIT_TSA_URL = "https://horodatage.example.fr/tsa"
    assert "GUICHET_AUDIT_TSA_ROOTS est vide" in deploy_issues()["guichet.W001"]
    settings.GUICHET_AUDIT_TSA_ROOTS = str(tmp_path / "absent.pem")
    assert "est introuvable" in deploy_issues()["guichet.E001"]
    authority, _ = dev_authority_ensure(tmp_path / "authority")
    settings.GUICHET_AUDIT_TSA_ROOTS = str(authority.ca_certificate)
    assert deploy_issues() == {}
