"""An invoicing platform that accepts every invoice and says it is paid at the first follow-up:
for the demo and development, where no Chorus Pro account exists. Nothing leaves the process and
nothing is kept: its answers are derived from the deposit's number. Setting:
GUICHET_INVOICING_DUMMY (true to select it; never in production)."""

import hashlib
from dataclasses import dataclass
from typing import Self

from django.conf import settings

from ..base import FlowReport, FlowState, InvoiceProgress, InvoicingConnector

PREFIX = "DEMO-"


@dataclass(frozen=True)
class DummyInvoicing(InvoicingConnector):
    name = "invoicing_dummy"
    setting_names = ("GUICHET_INVOICING_DUMMY",)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_INVOICING_DUMMY)

    @classmethod
    def from_settings(cls) -> Self:
        return cls()

    def deposit(self, *, pdf: bytes, file_name: str) -> str:
        return PREFIX + hashlib.sha256(pdf).hexdigest()[:16]

    def flow_report(self, flow_number: str) -> FlowReport:
        return FlowReport(state=FlowState.INTEGRATED, code="IN_INTEGRE")

    def invoice_progress(self, *, flow_number: str, invoice_id: str = "") -> InvoiceProgress | None:
        number = invoice_id or str(int(flow_number.removeprefix(PREFIX)[:8], 16))
        return InvoiceProgress(invoice_id=number, status="MISE_EN_PAIEMENT")
