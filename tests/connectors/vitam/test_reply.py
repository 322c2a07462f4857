"""Reading ATRs the stand-in does not write: warnings, Vitam's technical failures, SEDA 2.1,
and answers that are no ATR."""

import pytest

from guichet.connectors.base import ArchiveReplyCode, ConnectorRejected
from guichet.connectors.vitam.reply import atr_read

ATR_2_1_WARNING = """<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransferReply xmlns="fr:gouv:culture:archivesdefrance:seda:v2.1">
  <ReplyCode>WARNING</ReplyCode>
  <Operation>
    <Event>
      <EventTypeCode>CHECK_UNIT_SCHEMA</EventTypeCode>
      <EventType>Contrôle additionnel sur la validité des champs de l’unité archivistique</EventType>
      <Outcome>WARNING</Outcome>
      <OutcomeDetailMessage>Avertissement lors du contrôle des dates extrêmes</OutcomeDetailMessage>
    </Event>
    <Event><EventTypeCode>STP_UPLOAD_SIP</EventTypeCode><Outcome>OK</Outcome></Event>
  </Operation>
  <DataObjectPackage><DescriptiveMetadata>
    <ArchiveUnit id="AU1"><Content><SystemId>aeaqaaaaaahgausqab7boak55nw5vqaaaaaq</SystemId></Content></ArchiveUnit>
  </DescriptiveMetadata></DataObjectPackage>
</ArchiveTransferReply>
"""


def test_a_transfer_accepted_with_warnings_says_which():
    reply = atr_read(ATR_2_1_WARNING.encode(), http_status=206)
    assert reply.code == ArchiveReplyCode.WARNING
    assert reply.unit_ids == {"AU1": "aeaqaaaaaahgausqab7boak55nw5vqaaaaaq"}
    assert reply.message == (
        "Contrôle additionnel sur la validité des champs de l’unité archivistique : "
        "Avertissement lors du contrôle des dates extrêmes"
    )


def test_a_technical_failure_of_vitam_is_a_refusal_that_may_be_presented_again():
    atr = ATR_2_1_WARNING.replace("WARNING</ReplyCode>", "FATAL</ReplyCode>").replace(
        "<Outcome>WARNING</Outcome>", "<Outcome>FATAL</Outcome>"
    )
    reply = atr_read(atr.encode(), http_status=400)
    assert reply.code == ArchiveReplyCode.KO
    assert reply.message.splitlines()[0].startswith("Erreur technique de Vitam (FATAL)")


def test_without_a_reply_code_the_http_status_decides():
    atr = ATR_2_1_WARNING.replace("<ReplyCode>WARNING</ReplyCode>", "")
    assert atr_read(atr.encode(), http_status=200).code == ArchiveReplyCode.OK
    assert atr_read(atr.encode(), http_status=400).code == ArchiveReplyCode.KO


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"httpCode": 400, "message": "Bad Request"}', "accusé de transfert illisible"),
        (b"<ArchiveTransfer/>", "autre chose qu’un accusé de transfert"),
        (
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ArchiveTransferReply>&e;</ArchiveTransferReply>',
            None,
        ),
    ],
)
def test_an_answer_that_is_no_atr_is_an_error_and_entities_are_never_read(content, message):
    if message is None:
        reply = atr_read(content, http_status=400)
        assert "root:" not in reply.message
        return
    with pytest.raises(ConnectorRejected, match=message):
        atr_read(content, http_status=400)
