"""A stand-in Vitam: an HTTPS server on 127.0.0.1 that requires a client certificate of its own
authority (mutual TLS) and speaks Vitam's documented ingest contract
(/work/shared/reference/connectors.md §1):

- `POST /ingest-external/v1/ingests`: X-Tenant-Id (its tenant), X-Action (RESUME or NEXT),
  X-Context-Id, a body of type application/octet-stream; answers 202 with the operation's id in
  X-Request-Id. It checks the package as Vitam does before answering the transfer: a ZIP, with a
  manifest.xml valid against SEDA 2.2 (the SIAF schemas and Vitam's stricter variant), whose every
  BinaryDataObject's Uri is in the ZIP with the SHA-512 its MessageDigest gives;
- `HEAD /admin-external/v1/operations/{id}`: 202 RUNNING for `polls_before_done` polls, then 200
  COMPLETED, with X-Global-Execution-State and X-Global-Execution-Status;
- `GET /ingest-external/v1/ingests/{id}/archivetransferreply`: the ArchiveTransferReply, a SEDA 2.2
  document (200 OK with a SystemId per archive unit; 400 KO with the events that failed); 404
  before the operation is done.

Its `script` makes the next requests fail the ways a network and a busy Vitam do."""

import datetime as dt
import hashlib
import io
import ipaddress
import json
import secrets
import socket
import ssl
import struct
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from lxml import etree
from lxml.builder import ElementMaker

from tests.connectors.serving import ServedStandIn

# <repo>/../shared/reference: the SEDA schemas, kept beside the repository.
REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference"
SEDA = "fr:gouv:culture:archivesdefrance:seda:v2.2"

# What the stand-in can do with a request, besides answering it.
RESET = "reset"  # the connection is cut (TCP reset) before anything is read or answered
UNAVAILABLE = "unavailable"  # HTTP 503, as a Vitam in maintenance behind its proxy
SLOW = "slow"  # the answer comes after `slow_seconds` (the request is handled all the same)
NORMAL = "normal"


def seda_schemas() -> dict[str, etree.XMLSchema]:
    """SEDA 2.2 as the SIAF publishes it and as Vitam restricts it; fails loudly when the
    reference folder is missing, since a stand-in that validates nothing would prove nothing."""
    schemas = {}
    for name in ("seda-2.2-siaf", "seda-2.2"):
        main = REFERENCE / name / "seda-2.2-main.xsd"
        if not main.is_file():
            raise RuntimeError(f"The SEDA schemas are missing: {main} (expected in <repo>/../shared/reference)")
        schemas[name] = etree.XMLSchema(etree.parse(str(main)))
    return schemas


@dataclass(frozen=True)
class TlsFiles:
    """PEM files: Vitam's authority, its server certificate, Guichet's client certificate issued by
    that authority, and a client certificate from another authority, which Vitam does not know."""

    authority: Path
    server_certificate: Path
    server_key: Path
    client_certificate: Path
    client_key: Path
    stranger_certificate: Path
    stranger_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_write(path: Path, key) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def _authority(common_name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _issue(authority, *, common_name: str, server: bool):
    ca_certificate, ca_key = authority
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(ca_key, hashes.SHA256()), key


def tls_files_make(directory: Path) -> TlsFiles:
    directory.mkdir(parents=True, exist_ok=True)
    vitam = _authority("Autorité de test de Vitam")
    stranger = _authority("Autorité inconnue de Vitam")
    files = TlsFiles(
        authority=directory / "vitam-ca.pem",
        server_certificate=directory / "vitam.pem",
        server_key=directory / "vitam.key",
        client_certificate=directory / "guichet.pem",
        client_key=directory / "guichet.key",
        stranger_certificate=directory / "inconnu.pem",
        stranger_key=directory / "inconnu.key",
    )
    files.authority.write_bytes(vitam[0].public_bytes(serialization.Encoding.PEM))
    for certificate_path, key_path, (certificate, key) in (
        (files.server_certificate, files.server_key, _issue(vitam, common_name="127.0.0.1", server=True)),
        (files.client_certificate, files.client_key, _issue(vitam, common_name="guichet", server=False)),
        (files.stranger_certificate, files.stranger_key, _issue(stranger, common_name="guichet", server=False)),
    ):
        certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        _key_write(key_path, key)
    return files


@dataclass
class Operation:
    id: str
    code: str  # OK or KO
    atr: bytes
    polls_left: int
    unit_ids: dict[str, str] = field(default_factory=dict)


class StandInVitam(ServedStandIn):
    def __init__(
        self, directory: Path, *, tenant: int = 3, tls_maximum: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED
    ):
        self.tls = tls_files_make(directory)
        self.tenant = tenant
        self.schemas = seda_schemas()
        self.script: list[str] = []  # the next requests' fate, then NORMAL
        self.answered: list[tuple[str, str, str]] = []  # (method, path, behaviour) of each request
        self.operations: dict[str, Operation] = {}
        self.polls_before_done = 1
        # Vitam's ingest contracts: when set, a package whose ArchivalAgreement names none of them is
        # refused (CHECK_CONTRACT_INGEST), as Vitam refuses a contract it does not hold or that is inactive.
        self.ingest_contracts: set[str] | None = None
        self.slow_seconds = 1.0
        self.handshake_failures = 0
        self.handshake_failed = threading.Event()  # the client may see the refusal before the count
        self._lock = threading.Lock()
        self._released = threading.Event()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.tls.server_certificate, self.tls.server_key)
        context.load_verify_locations(self.tls.authority)
        context.verify_mode = ssl.CERT_REQUIRED  # mutual TLS: no certificate of Vitam's authority, no service
        # TLS 1.3 refuses a client certificate after the handshake, as the client already sends its
        # request: the client sees the refusal or a cut connection. TLS 1.2 refuses in the handshake.
        context.maximum_version = tls_maximum
        self._server = _TlsServer(("127.0.0.1", 0), _handler(self), context=context, stand_in=self)
        self.url = f"https://127.0.0.1:{self._server.server_port}"

    def _next(self, method: str, path: str) -> str:
        with self._lock:
            behaviour = self.script.pop(0) if self.script else NORMAL
            self.answered.append((method, path, behaviour))
            return behaviour

    def _ingest(self, package: bytes) -> Operation:
        operation_id = "aeeaaaaaac" + secrets.token_hex(20)[:26]
        code, events, units, manifest = "OK", [], {}, None
        try:
            manifest, units = self._check(package)
        except _Refusal as refusal:
            code, events = "KO", refusal.events
        operation = Operation(
            id=operation_id,
            code=code,
            atr=atr_build(operation_id=operation_id, code=code, manifest=manifest, unit_ids=units, events=events),
            polls_left=self.polls_before_done,
            unit_ids=units,
        )
        with self._lock:
            self.operations[operation_id] = operation
        return operation

    def _check(self, package: bytes):
        """The manifest and a SystemId for each of its archive units; _Refusal with Vitam's events
        for what fails."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(package))
        except zipfile.BadZipFile as error:
            raise _Refusal(
                "CHECK_CONTAINER", "Contrôle du format du conteneur du SIP", "Le SIP n’est pas un ZIP", str(error)
            ) from None
        if "manifest.xml" not in archive.namelist():
            raise _Refusal(
                "CHECK_SEDA", "Vérification globale du SIP", "Absence du bordereau de transfert (manifest.xml)"
            )
        try:
            manifest = etree.fromstring(
                archive.read("manifest.xml"), etree.XMLParser(resolve_entities=False, no_network=True)
            )
        except etree.XMLSyntaxError as error:
            raise _Refusal(
                "CHECK_SEDA", "Vérification globale du SIP", "Bordereau de transfert illisible", str(error)
            ) from None
        for name, schema in self.schemas.items():
            if not schema.validate(manifest):
                raise _Refusal(
                    "CHECK_SEDA",
                    "Vérification globale du SIP",
                    "Échec de la vérification de la conformité du bordereau de transfert au schéma SEDA 2.2",
                    f"{name}: {schema.error_log.last_error.message}",
                )
        if self.ingest_contracts is not None:
            agreement = manifest.findtext(f"{{{SEDA}}}ArchivalAgreement") or ""
            if agreement not in self.ingest_contracts:
                raise _Refusal(
                    "CHECK_CONTRACT_INGEST",
                    "Vérification du contrat d’entrée",
                    f"Le contrat d’entrée « {agreement} » est inconnu ou inactif",
                    f"ArchivalAgreement {agreement}",
                )
        names = set(archive.namelist())
        for data_object in manifest.iter(f"{{{SEDA}}}BinaryDataObject"):
            uri = data_object.findtext(f"{{{SEDA}}}Uri")
            if uri not in names:
                raise _Refusal(
                    "CHECK_DATAOBJECTPACKAGE",
                    "Vérification des objets",
                    f"L’objet {data_object.get('id')} est absent du SIP",
                    f"Uri {uri}",
                )
            digest = data_object.find(f"{{{SEDA}}}MessageDigest")
            if digest.get("algorithm") != "SHA-512" or hashlib.sha512(archive.read(uri)).hexdigest() != digest.text:
                raise _Refusal(
                    "CHECK_DIGEST",
                    "Vérification de l’empreinte des objets",
                    f"L’empreinte de l’objet {data_object.get('id')} ne correspond pas à celle du bordereau",
                    f"Uri {uri}",
                )
        units = {
            unit.get("id"): "aeaqaaaaaa" + secrets.token_hex(20)[:26]
            for unit in manifest.iter(f"{{{SEDA}}}ArchiveUnit")
        }
        return manifest, units


class _Refusal(Exception):
    def __init__(self, code: str, label: str, message: str, detail: str = ""):
        super().__init__(message)
        self.events = [
            ("PROCESS_SIP_UNITARY", "Processus d’entrée standard", "Échec du processus d’entrée du SIP", ""),
            (code, label, message, detail),
        ]


def atr_build(*, operation_id: str, code: str, manifest, unit_ids: dict[str, str], events) -> bytes:
    """An ArchiveTransferReply in SEDA 2.2 as Vitam writes one: its ReplyCode, the failing events
    (KO), or the archive units of the manifest with their SystemId (OK)."""
    E = ElementMaker(namespace=SEDA, nsmap={None: SEDA})  # noqa: N806 (lxml's idiom)

    def from_manifest(path: str, default: str) -> str:
        return manifest.findtext(path, namespaces={"s": SEDA}) if manifest is not None else default

    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat()
    reply = E.ArchiveTransferReply(E.Date(now), E.MessageIdentifier(operation_id))
    if manifest is not None and manifest.find(f"{{{SEDA}}}ArchivalAgreement") is not None:
        reply.append(E.ArchivalAgreement(from_manifest("s:ArchivalAgreement", "")))
    reply.append(E.CodeListVersions(E.ReplyCodeListVersion("ReplyCodeListVersion0")))
    if code == "OK":
        reply.append(
            E.DataObjectPackage(
                E.DescriptiveMetadata(
                    *(E.ArchiveUnit(E.Content(E.SystemId(system_id)), id=unit) for unit, system_id in unit_ids.items())
                ),
                E.ManagementMetadata(),
            )
        )
    reply.append(E.ReplyCode(code))
    operation = E.Operation()
    for event_code, label, message, detail in events:
        event = E.Event(
            E.EventTypeCode(event_code),
            E.EventType(label),
            E.EventDateTime(now),
            E.Outcome("KO"),
            E.OutcomeDetail(f"{event_code}.KO"),
            E.OutcomeDetailMessage(message),
        )
        if detail:
            event.append(E.EventDetailData(json.dumps({"evDetTechData": detail}, ensure_ascii=False)))
        operation.append(event)
    reply.append(operation)
    reply.append(E.MessageRequestIdentifier(from_manifest("s:MessageIdentifier", "Inconnu")))
    if code == "OK":
        reply.append(E.GrantDate(now))
    reply.append(E.ArchivalAgency(E.Identifier(from_manifest("s:ArchivalAgency/s:Identifier", "Inconnu"))))
    reply.append(E.TransferringAgency(E.Identifier(from_manifest("s:TransferringAgency/s:Identifier", "Inconnu"))))
    return etree.tostring(reply, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, *, context: ssl.SSLContext, stand_in: StandInVitam):
        super().__init__(address, handler)
        self.context = context
        self.stand_in = stand_in

    def finish_request(self, request, client_address):
        # The handshake in the request's thread, not in the loop that accepts connections.
        request.settimeout(10)
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            with self.stand_in._lock:
                self.stand_in.handshake_failures += 1
            self.stand_in.handshake_failed.set()
            return
        try:
            super().finish_request(request, client_address)
        finally:
            request.close()  # the TLS socket is a new object: the server would close only the plain one

    def handle_error(self, request, client_address):
        pass  # a connection cut on purpose, or by a client that gave up


def _handler(vitam: StandInVitam):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _behave(self) -> bool:
            """Applies the script; False when the request gets no further answer."""
            behaviour = vitam._next(self.command, self.path)
            if behaviour == RESET:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return False
            if behaviour == UNAVAILABLE:
                self._answer(503, body=b"Service Unavailable")
                return False
            if behaviour == SLOW:
                vitam._released.wait(vitam.slow_seconds)
            return True

        def _tenant_checked(self) -> bool:
            tenant = self.headers.get("X-Tenant-Id")
            if tenant is None:
                self._error(412, "X-Tenant-Id manquant")
                return False
            if tenant != str(vitam.tenant):
                self._error(401, f"Tenant {tenant} non autorisé")
                return False
            return True

        def do_POST(self):  # noqa: N802 (http.server's name)
            if vitam.script and vitam.script[0] == RESET:  # cut before the package is read
                return self._behave()
            package = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not self._behave():
                return None
            if self.path != "/ingest-external/v1/ingests":
                return self._error(404, "Ressource inconnue")
            if not self._tenant_checked():
                return None
            if self.headers.get("X-Action") not in ("RESUME", "NEXT"):
                return self._error(412, "X-Action doit valoir RESUME ou NEXT")
            if self.headers.get("X-Context-Id") not in ("DEFAULT_WORKFLOW", "BLANK_TEST"):
                return self._error(412, "X-Context-Id inconnu")
            if self.headers.get("Content-Type") != "application/octet-stream":
                return self._error(415, "Le SIP est attendu en application/octet-stream")
            operation = vitam._ingest(package)
            body = json.dumps({"httpCode": 202, "state": "Running", "#id": operation.id}).encode()
            return self._answer(
                202,
                body=body,
                content_type="application/json",
                headers={
                    "X-Request-Id": operation.id,
                    "X-Global-Execution-State": "PAUSE",
                    "X-Global-Execution-Status": "UNKNOWN",
                },
            )

        def do_HEAD(self):  # noqa: N802
            if not self._behave():
                return
            prefix = "/admin-external/v1/operations/"
            if not self.path.startswith(prefix):
                return self._answer(404)
            if not self._tenant_checked():
                return None
            with vitam._lock:
                operation = vitam.operations.get(self.path.removeprefix(prefix))
                if operation is None:
                    return self._answer(404)
                running = operation.polls_left > 0
                operation.polls_left -= 1
            state, status = ("RUNNING", "STARTED") if running else ("COMPLETED", operation.code)
            return self._answer(
                202 if running else 200,
                headers={"X-Global-Execution-State": state, "X-Global-Execution-Status": status},
            )

        def do_GET(self):  # noqa: N802
            if not self._behave():
                return None
            prefix, suffix = "/ingest-external/v1/ingests/", "/archivetransferreply"
            if not (self.path.startswith(prefix) and self.path.endswith(suffix)):
                return self._error(404, "Ressource inconnue")
            if not self._tenant_checked():
                return None
            operation = vitam.operations.get(self.path.removeprefix(prefix).removesuffix(suffix))
            if operation is None or operation.polls_left >= 0:
                return self._error(404, "Aucun accusé de transfert pour cette opération")
            return self._answer(
                200 if operation.code == "OK" else 400, body=operation.atr, content_type="application/octet-stream"
            )

        def _error(self, status: int, message: str):
            body = json.dumps({"httpCode": status, "code": str(status), "message": message}).encode()
            self._answer(status, body=body, content_type="application/json")

        def _answer(self, status, *, body=b"", content_type="text/plain", headers=None):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


@contextmanager
def stand_in_vitam(directory: Path, **options):
    with StandInVitam(directory, **options) as vitam:
        yield vitam
