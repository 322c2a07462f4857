"""Which connector the registry chooses for which settings, and the error that says what to set
when none fits."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from guichet.connectors.archive_directory.connector import DirectoryArchive
from guichet.connectors.base import ConnectorNotConfigured
from guichet.connectors.http import HttpPolicy, TlsIdentity
from guichet.connectors.registry import CAPABILITIES, connector_for
from guichet.connectors.seal_dev_authority.connector import DevAuthoritySeal
from guichet.connectors.seal_pkcs11.connector import Pkcs11Seal
from guichet.connectors.seal_pkcs12.connector import Pkcs12Seal
from guichet.connectors.timestamping.connector import TsaTimestamping
from guichet.connectors.vitam.connector import VitamArchive


def test_development_seals_with_the_development_authority_and_no_timestamp(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    assert connector_for("seal") == DevAuthoritySeal(directory=str(tmp_path / "seal"))
    assert connector_for("timestamp") is None


def test_a_pkcs12_file_replaces_the_development_authority(settings):
    settings.GUICHET_SEAL_PKCS12_PATH = "/etc/guichet/cachet.p12"
    settings.GUICHET_SEAL_PKCS12_PASSWORD = "secret-du-cachet"
    connector = connector_for("seal")
    assert connector == Pkcs12Seal(path="/etc/guichet/cachet.p12", password="secret-du-cachet")
    assert "secret-du-cachet" not in repr(connector)  # logs and tracebacks do not show it


def test_a_token_comes_before_a_file_and_its_certificate_label_defaults_to_the_keys(settings):
    settings.GUICHET_SEAL_PKCS12_PATH = "/etc/guichet/cachet.p12"
    settings.GUICHET_SEAL_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
    settings.GUICHET_SEAL_PKCS11_TOKEN = "guichet"
    settings.GUICHET_SEAL_PKCS11_KEY_LABEL = "cachet"
    settings.GUICHET_SEAL_PKCS11_PIN = "1234"
    connector = connector_for("seal")
    assert connector == Pkcs11Seal(
        module="/usr/lib/softhsm/libsofthsm2.so", token="guichet", key_label="cachet", cert_label="cachet", pin="1234"
    )
    assert "1234" not in repr(connector)
    settings.GUICHET_SEAL_PKCS11_CERT_LABEL = "certificat-cachet"
    assert connector_for("seal").cert_label == "certificat-cachet"


def test_production_without_a_seal_says_what_to_set(settings):
    settings.GUICHET_SEAL_DEV_CA = False
    with pytest.raises(ConnectorNotConfigured, match="GUICHET_SEAL_PKCS12_PATH ou GUICHET_SEAL_PKCS11_MODULE"):
        connector_for("seal")


def test_a_token_without_a_key_label_says_which_setting_is_missing(settings):
    settings.GUICHET_SEAL_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
    with pytest.raises(ConnectorNotConfigured, match="GUICHET_SEAL_PKCS11_KEY_LABEL"):
        connector_for("seal")


def test_an_unreadable_pkcs12_file_says_which_file(settings, tmp_path):
    broken = tmp_path / "cachet.p12"
    broken.write_bytes(b"pas un fichier PKCS#12")
    settings.GUICHET_SEAL_PKCS12_PATH = str(broken)
    with pytest.raises(ConnectorNotConfigured, match=f"ne peut pas être lu : {broken}"):
        connector_for("seal").signer()


def test_a_timestamping_authority_makes_seals_b_t(settings):
    settings.GUICHET_SEAL_TSA_URL = "http://horodatage.example/tsa"
    settings.GUICHET_SEAL_TSA_TIMEOUT = 4
    expected = TsaTimestamping(url="http://horodatage.example/tsa", policy=HttpPolicy(timeout=4))
    assert connector_for("timestamp") == expected


def test_an_unknown_capability_is_a_programming_error():
    with pytest.raises(LookupError, match="'telepathy'.*known: seal, timestamp, antivirus"):
        connector_for("telepathy")


@pytest.mark.parametrize("capability", sorted(CAPABILITIES))
def test_each_implementation_serves_its_capability_and_reads_existing_settings(capability):
    for implementation in CAPABILITIES[capability].implementations:
        assert implementation.capability == capability
        assert Path(__file__).parents[2].joinpath("guichet", "connectors", implementation.name).is_dir()
        for name in implementation.setting_names:
            assert hasattr(django_settings, name), f"{implementation.name} reads {name}, which settings lack"


def test_without_vitam_or_a_folder_no_archive_transfer_and_a_clear_message(settings):
    with pytest.raises(ConnectorNotConfigured, match="GUICHET_VITAM_URL.*GUICHET_ARCHIVE_DIRECTORY"):
        connector_for("archive_transfer")


def test_a_folder_receives_the_archives_where_vitam_is_not_configured(settings, tmp_path):
    settings.GUICHET_ARCHIVE_DIRECTORY = str(tmp_path)
    assert connector_for("archive_transfer") == DirectoryArchive(directory=str(tmp_path))
    settings.GUICHET_ARCHIVE_DIRECTORY = "versements"
    with pytest.raises(ConnectorNotConfigured, match="chemin absolu"):
        connector_for("archive_transfer")


def test_vitam_comes_before_a_folder_and_reads_its_certificates(settings, tmp_path):
    for name in ("guichet.pem", "guichet.key", "vitam-ca.pem"):
        (tmp_path / name).write_text("PEM")
    settings.GUICHET_ARCHIVE_DIRECTORY = str(tmp_path)
    settings.GUICHET_VITAM_URL = "https://vitam.example:8443/"
    settings.GUICHET_VITAM_TENANT = "2"
    settings.GUICHET_VITAM_CERT = str(tmp_path / "guichet.pem")
    settings.GUICHET_VITAM_KEY = str(tmp_path / "guichet.key")
    settings.GUICHET_VITAM_CA = str(tmp_path / "vitam-ca.pem")
    settings.GUICHET_VITAM_TIMEOUT = 60
    assert connector_for("archive_transfer") == VitamArchive(
        url="https://vitam.example:8443",
        admin_url="https://vitam.example:8443",
        tenant=2,
        context="DEFAULT_WORKFLOW",
        tls=TlsIdentity(
            certificate=str(tmp_path / "guichet.pem"),
            key=str(tmp_path / "guichet.key"),
            authorities=str(tmp_path / "vitam-ca.pem"),
        ),
        policy=HttpPolicy(timeout=60),
    )
    settings.GUICHET_VITAM_ADMIN_URL = "https://vitam.example:8444"
    assert connector_for("archive_transfer").admin_url == "https://vitam.example:8444"


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("GUICHET_VITAM_TENANT", "", "GUICHET_VITAM_TENANT doit être le numéro du tenant"),
        ("GUICHET_VITAM_CONTEXT", "DefaultIngestWorkflow", "GUICHET_VITAM_CONTEXT doit valoir"),
        ("GUICHET_VITAM_CERT", "", "indiquez GUICHET_VITAM_CERT"),
        ("GUICHET_VITAM_CA", "/nulle-part/ca.pem", "GUICHET_VITAM_CA : le fichier /nulle-part/ca.pem n’existe pas"),
    ],
)
def test_an_incomplete_vitam_configuration_says_what_to_fix(settings, tmp_path, setting, value, message):
    (tmp_path / "guichet.pem").write_text("PEM")
    settings.GUICHET_VITAM_URL = "https://vitam.example:8443"
    settings.GUICHET_VITAM_TENANT = "2"
    settings.GUICHET_VITAM_CERT = str(tmp_path / "guichet.pem")
    setattr(settings, setting, value)
    with pytest.raises(ConnectorNotConfigured, match=message):
        connector_for("archive_transfer")


def test_chorus_pro_serves_invoicing_with_its_secrets_out_of_the_logs(settings):
    from guichet.connectors.chorus_pro.connector import ChorusPro  # noqa: PLC0415
    from guichet.connectors.invoicing_dummy.connector import DummyInvoicing  # noqa: PLC0415

    with pytest.raises(ConnectorNotConfigured, match="GUICHET_CHORUS_PRO_URL"):
        connector_for("invoicing")
    settings.GUICHET_INVOICING_DUMMY = True
    assert connector_for("invoicing") == DummyInvoicing()
    settings.GUICHET_CHORUS_PRO_URL = "https://sandbox-api.piste.gouv.fr/"
    with pytest.raises(ConnectorNotConfigured, match="GUICHET_CHORUS_PRO_CLIENT_ID"):
        connector_for("invoicing")
    settings.GUICHET_CHORUS_PRO_CLIENT_ID = "application-piste"
    settings.GUICHET_CHORUS_PRO_CLIENT_SECRET = "secret-piste"
    settings.GUICHET_CHORUS_PRO_LOGIN = "TECH_1@cpro.fr"
    settings.GUICHET_CHORUS_PRO_PASSWORD = "mot-de-passe-technique"
    connector = connector_for("invoicing")
    assert isinstance(connector, ChorusPro) and connector.url == "https://sandbox-api.piste.gouv.fr"
    assert "secret-piste" not in repr(connector) and "mot-de-passe-technique" not in repr(connector)
