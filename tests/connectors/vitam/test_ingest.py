"""Transfers to a stand-in Vitam over mutual TLS: what an archivist sees of an accepted and of a
refused transfer, what the connector retries, and what it never sends twice."""

import hashlib
import io
import ssl

import pytest
from lxml import etree

from guichet.connectors.base import (
    ArchiveReplyCode,
    ConnectorError,
    ConnectorOutcomeUnknown,
    ConnectorRejected,
    ConnectorUnavailable,
)
from tests.connectors.sip_example import ACT, MANIFEST, sip_bytes, sip_file
from tests.connectors.vitam.conftest import vitam_connector
from tests.connectors.vitam.stand_in import NORMAL, RESET, SLOW, UNAVAILABLE, seda_schemas, stand_in_vitam


def transfer(connector, sip: bytes):
    """Deposit, poll until done, fetch the reply: what the archives app's worker does."""
    deposit = connector.deposit(
        sip=io.BytesIO(sip), sip_name="dossier-2026-000042", sha512=hashlib.sha512(sip).hexdigest()
    )
    progress = [connector.status(deposit.operation_id)]
    while not progress[-1].done:
        progress.append(connector.status(deposit.operation_id))
    return deposit, progress, connector.reply(deposit.operation_id)


def assert_valid_atr(atr: bytes):
    document = etree.fromstring(atr)
    for name, schema in seda_schemas().items():
        assert schema.validate(document), f"{name}: {schema.error_log}"


def test_an_accepted_transfer_gives_the_system_id_of_each_archive_unit(vitam, tmp_path):
    path, sha512 = sip_file(tmp_path)
    connector = vitam_connector(vitam)
    deposit = connector.deposit(sip=path, sip_name="dossier-2026-000042", sha512=sha512)
    assert deposit.operation_id in vitam.operations

    running = connector.status(deposit.operation_id)
    assert (running.done, running.state, running.status) == (False, "RUNNING", "STARTED")
    with pytest.raises(ConnectorUnavailable, match="pas encore d’accusé de transfert"):
        connector.reply(deposit.operation_id)
    completed = connector.status(deposit.operation_id)
    assert (completed.done, completed.state, completed.status) == (True, "COMPLETED", "OK")

    reply = connector.reply(deposit.operation_id)
    assert reply.code == ArchiveReplyCode.OK
    assert reply.unit_ids == vitam.operations[deposit.operation_id].unit_ids
    assert set(reply.unit_ids) == {"AU1", "AU2"}
    assert reply.message == ""
    assert_valid_atr(reply.atr_xml)
    assert etree.fromstring(reply.atr_xml).findtext("{*}MessageRequestIdentifier") == "GUICHET-2026-000042"


def test_a_package_whose_act_does_not_match_the_manifest_is_refused_with_its_reason(vitam):
    sip = sip_bytes(declared_digest=hashlib.sha512(b"another act").hexdigest())
    _, progress, reply = transfer(vitam_connector(vitam), sip)
    assert progress[-1].status == "KO"
    assert reply.code == ArchiveReplyCode.KO
    assert reply.unit_ids == {}
    first_line = reply.message.splitlines()[0]
    assert first_line.startswith(
        "Vérification de l’empreinte des objets : L’empreinte de l’objet BDO1 ne correspond pas"
    )
    assert "content/arrete.pdf" in first_line
    assert "Processus d’entrée standard : Échec du processus d’entrée du SIP" in reply.message
    assert_valid_atr(reply.atr_xml)


def test_a_manifest_that_breaks_seda_is_refused_with_the_schema_error(vitam):
    manifest = MANIFEST.format(digest=hashlib.sha512(ACT).hexdigest(), size=len(ACT)).replace(
        "<MessageIdentifier>GUICHET-2026-000042</MessageIdentifier>", ""
    )
    _, _, reply = transfer(vitam_connector(vitam), sip_bytes(manifest=manifest))
    assert reply.code == ArchiveReplyCode.KO
    assert "conformité du bordereau de transfert au schéma SEDA 2.2" in reply.message
    assert "MessageIdentifier" in reply.message
    assert_valid_atr(reply.atr_xml)


def test_a_package_that_is_not_a_zip_is_refused(vitam):
    _, _, reply = transfer(vitam_connector(vitam), b"PK? pas un zip")
    assert reply.code == ArchiveReplyCode.KO
    assert "Le SIP n’est pas un ZIP" in reply.message


@pytest.fixture
def vitam_tls_1_2(tmp_path):
    """Over TLS 1.2, a client certificate is refused in the handshake, before any request."""
    with stand_in_vitam(tmp_path / "vitam-tls-1.2", tls_maximum=ssl.TLSVersion.TLSv1_2) as vitam:
        yield vitam


@pytest.mark.parametrize(
    ("certificate", "alert"), [("none", "handshake failure"), ("another authority's", "unknown ca")]
)
def test_vitam_refuses_a_connection_without_its_client_certificate(vitam_tls_1_2, certificate, alert):
    vitam = vitam_tls_1_2
    if certificate == "none":
        connector = vitam_connector(vitam, certificate="", key="", attempts=3)
    else:
        connector = vitam_connector(
            vitam, certificate=vitam.tls.stranger_certificate, key=vitam.tls.stranger_key, attempts=3
        )
    sip = sip_bytes()
    with pytest.raises(ConnectorRejected, match=f"la connexion TLS a échoué.*{alert}"):
        connector.deposit(sip=io.BytesIO(sip), sip_name="d", sha512=hashlib.sha512(sip).hexdigest())
    assert vitam.handshake_failed.wait(5)
    assert vitam.handshake_failures == 1  # not tried again: a certificate to fix, not a passing failure
    assert vitam.operations == {}


def test_over_tls_1_3_vitam_refuses_a_connection_without_a_client_certificate_too(vitam):
    # The refusal comes as the request is sent: the client sees it, or a connection cut, which it
    # tries again; either way nothing is transferred.
    sip = sip_bytes()
    with pytest.raises(ConnectorError, match="TLS|SSL"):
        vitam_connector(vitam, certificate="", key="").deposit(
            sip=io.BytesIO(sip), sip_name="d", sha512=hashlib.sha512(sip).hexdigest()
        )
    assert vitam.handshake_failed.wait(5)
    assert vitam.operations == {}


def test_guichet_refuses_a_server_it_cannot_verify(vitam):
    connector = vitam_connector(vitam)
    connector = type(connector)(
        **{
            **connector.__dict__,
            "tls": type(connector.tls)(certificate=connector.tls.certificate, key=connector.tls.key, authorities=""),
        }
    )
    sip = sip_bytes()
    with pytest.raises(ConnectorRejected, match="certificate verify failed"):
        connector.deposit(sip=io.BytesIO(sip), sip_name="d", sha512=hashlib.sha512(sip).hexdigest())
    assert vitam.operations == {}


def test_a_connection_cut_before_the_package_arrives_is_tried_again(vitam):
    vitam.script = [RESET]
    deposit, _, reply = transfer(vitam_connector(vitam, attempts=3), sip_bytes())
    posts = [behaviour for method, _, behaviour in vitam.answered if method == "POST"]
    assert posts == [RESET, NORMAL]
    assert list(vitam.operations) == [deposit.operation_id]  # one transfer, not two
    assert reply.code == ArchiveReplyCode.OK


def test_a_vitam_in_maintenance_is_asked_again(vitam):
    vitam.script = [UNAVAILABLE, UNAVAILABLE]
    deposit, _, reply = transfer(vitam_connector(vitam, attempts=3), sip_bytes())
    assert [behaviour for method, _, behaviour in vitam.answered if method == "POST"] == [
        UNAVAILABLE,
        UNAVAILABLE,
        NORMAL,
    ]
    assert list(vitam.operations) == [deposit.operation_id]
    assert reply.code == ArchiveReplyCode.OK


def test_a_vitam_unavailable_at_every_attempt_leaves_the_transfer_to_a_later_try(vitam):
    vitam.script = [UNAVAILABLE] * 3
    sip = sip_bytes()
    with pytest.raises(ConnectorUnavailable, match="Vitam indisponible : HTTP 503"):
        vitam_connector(vitam, attempts=3).deposit(
            sip=io.BytesIO(sip), sip_name="d", sha512=hashlib.sha512(sip).hexdigest()
        )
    assert vitam.operations == {}


def test_an_upload_without_an_answer_in_time_is_not_sent_twice(vitam):
    vitam.script = [SLOW]
    vitam.slow_seconds = 1
    sip = sip_bytes()
    with pytest.raises(ConnectorOutcomeUnknown, match="a peut-être été prise en compte"):
        vitam_connector(vitam, timeout=0.3, attempts=3).deposit(
            sip=io.BytesIO(sip), sip_name="d", sha512=hashlib.sha512(sip).hexdigest()
        )
    assert [method for method, _, _ in vitam.answered] == ["POST"]


def test_a_slow_answer_to_a_poll_is_asked_again(vitam):
    connector = vitam_connector(vitam, timeout=0.3, attempts=2)
    sip = sip_bytes()
    deposit = connector.deposit(sip=io.BytesIO(sip), sip_name="d", sha512=hashlib.sha512(sip).hexdigest())
    vitam.script = [SLOW]
    assert connector.status(deposit.operation_id).state == "RUNNING"
    assert [behaviour for method, _, behaviour in vitam.answered if method == "HEAD"] == [SLOW, NORMAL]


def test_a_package_damaged_since_it_was_built_is_never_sent(vitam):
    sip = sip_bytes()
    with pytest.raises(ConnectorRejected, match="ne correspond pas à son empreinte SHA-512"):
        vitam_connector(vitam).deposit(sip=io.BytesIO(sip), sip_name="d", sha512=hashlib.sha512(b"other").hexdigest())
    assert vitam.answered == []


def test_another_tenant_is_refused(vitam):
    sip = sip_bytes()
    with pytest.raises(ConnectorRejected, match="HTTP 401"):
        vitam_connector(vitam, tenant=vitam.tenant + 1).deposit(
            sip=io.BytesIO(sip), sip_name="d", sha512=hashlib.sha512(sip).hexdigest()
        )


def test_an_unknown_operation_is_an_error_not_a_wait(vitam):
    with pytest.raises(ConnectorRejected, match="ne connaît pas l’opération aeeaaaaaacinconnue"):
        vitam_connector(vitam).status("aeeaaaaaacinconnue")
