import copy
from urllib.parse import urlsplit

import pytest

from tests.connectors.payfip.conftest import payfip, payfip_settings  # noqa: F401  (fixtures)
from tests.factories import SIMPLE_DEFINITION, DossierFactory, ProcedureFactory


def fee_definition(*, moment="before_filing", unit_price="12.50", quantity="1", kind="fixed") -> dict:
    # A copy of its own: a test that adds a field must not add it to every later test's procedure.
    return {
        **copy.deepcopy(SIMPLE_DEFINITION),
        "fee": {
            "kind": kind,
            "lines": [{"label": "Copie intégrale d’acte", "unit_price": unit_price, "quantity": quantity}],
            "moment": moment,
            "revenue_account": "7068",
            "revenue_label": "Redevances d’état civil",
        },
    }


@pytest.fixture
def paying_procedure(db):
    return ProcedureFactory(draft_definition=fee_definition(), title="Copie d’acte d’état civil")


@pytest.fixture
def draft(paying_procedure):
    return DossierFactory(procedure=paying_procedure)


@pytest.fixture
def applicant_client(client, draft):
    client.force_login(draft.applicant)
    return client


def local_path(url: str) -> str:
    """The path (and query) of one of Guichet's addresses, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def payfip_notifies(client, finished):
    """What PayFiP does once the person finished: POST idOp=… to urlnotif."""
    return client.post(
        local_path(finished.notification_url),
        data=finished.notification_body,
        content_type="application/x-www-form-urlencoded",
    )


def person_comes_back(client, finished):
    """PayFiP sends the person back to urlredirect."""
    return client.get(local_path(finished.return_url))
