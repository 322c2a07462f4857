import pytest

from guichet.connectors.http import HttpPolicy, TlsIdentity
from guichet.connectors.vitam.connector import VitamArchive
from tests.connectors.vitam.stand_in import stand_in_vitam


@pytest.fixture
def vitam(tmp_path):
    with stand_in_vitam(tmp_path / "vitam") as stand_in:
        yield stand_in


def vitam_connector(vitam, *, certificate=None, key=None, tenant=None, **policy) -> VitamArchive:
    """The connector towards the stand-in, with Guichet's client certificate unless told otherwise."""
    return VitamArchive(
        url=vitam.url,
        admin_url=vitam.url,
        tenant=vitam.tenant if tenant is None else tenant,
        context="DEFAULT_WORKFLOW",
        tls=TlsIdentity(
            certificate=str(vitam.tls.client_certificate if certificate is None else certificate),
            key=str(vitam.tls.client_key if key is None else key),
            authorities=str(vitam.tls.authority),
        ),
        policy=HttpPolicy(**{"timeout": 5, "backoff": 0, **policy}),
    )
