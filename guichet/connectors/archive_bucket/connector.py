"""An S3-compatible bucket as archival target (for administrations without Vitam whose storage is
object storage, such as the state's cloud offers): each package is the object `<prefix><name>.zip`,
with `<name>.zip.sha512` beside it in `sha512sum`'s format, for whoever collects the bucket.

An object's PUT is atomic (a reader sees the whole object or none), and the checksum object is put
last: a package whose checksum object is there is complete. Depositing the same name with the same
digest again does nothing (the object already there is checked); with another digest it is refused:
an archived package is never replaced. boto3 (AWS's maintained client) speaks to any S3-compatible
server (endpoint and path-style addressing from the settings)."""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from django.conf import settings

from ..base import (
    ArchiveDeposit,
    ArchiveProgress,
    ArchiveReply,
    ArchiveReplyCode,
    ArchiveTransferConnector,
    ConnectorRejected,
    ConnectorUnavailable,
)
from ..sip import CHUNK, sip_digest_check, sip_name_check, sip_open

SYSTEM = "Le compartiment de dépôt des archives"
# What the server says when it is the server's fault or a passing state: worth another try later.
PASSING = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "RequestTimeTooSkewed"}


@dataclass(frozen=True)
class BucketArchive(ArchiveTransferConnector):
    name = "archive_bucket"
    setting_names = (
        "GUICHET_ARCHIVE_BUCKET",
        "GUICHET_ARCHIVE_BUCKET_PREFIX",
        "GUICHET_ARCHIVE_S3_ENDPOINT",
        "GUICHET_ARCHIVE_S3_REGION",
        "GUICHET_ARCHIVE_S3_ACCESS_KEY",
        "GUICHET_ARCHIVE_S3_SECRET_KEY",
        "GUICHET_ARCHIVE_S3_TIMEOUT",
    )
    # The same name and digest twice writes nothing: repeating a deposit is harmless.
    deposit_idempotent = True

    bucket: str
    prefix: str
    endpoint: str
    region: str
    access_key: str
    secret_key: str
    timeout: float

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_ARCHIVE_BUCKET)

    @classmethod
    def from_settings(cls) -> Self:
        return cls(
            bucket=settings.GUICHET_ARCHIVE_BUCKET,
            prefix=settings.GUICHET_ARCHIVE_BUCKET_PREFIX,
            endpoint=settings.GUICHET_ARCHIVE_S3_ENDPOINT,
            region=settings.GUICHET_ARCHIVE_S3_REGION,
            access_key=settings.GUICHET_ARCHIVE_S3_ACCESS_KEY,
            secret_key=settings.GUICHET_ARCHIVE_S3_SECRET_KEY,
            timeout=float(settings.GUICHET_ARCHIVE_S3_TIMEOUT),
        )

    def _client(self):
        import boto3  # noqa: PLC0415 (heavy: loaded when a package leaves)
        from botocore.config import Config  # noqa: PLC0415

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint or None,
            region_name=self.region or None,
            aws_access_key_id=self.access_key or None,
            aws_secret_access_key=self.secret_key or None,
            config=Config(
                s3={"addressing_style": "path"},
                connect_timeout=self.timeout,
                read_timeout=self.timeout,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def _keys(self, operation_id: str) -> tuple[str, str]:
        package = f"{self.prefix}{operation_id}"
        return package, f"{package}.sha512"

    def deposit(self, *, sip: Path | IO[bytes], sip_name: str, sha512: str) -> ArchiveDeposit:
        deposit = ArchiveDeposit(operation_id=f"{sip_name_check(sip_name)}.zip")
        package, checksum = self._keys(deposit.operation_id)
        sha512 = sha512.lower()
        with _speaking(self):
            client = self._client()
            recorded = _read_text(client, self.bucket, checksum)
            if recorded is not None:
                self._check_deposited(client, package, recorded, sha512)
                return deposit
            with sip_open(sip) as stream:
                start = stream.tell()
                sip_digest_check(stream, sha512)  # never a package that is not the one built
                stream.seek(start)
                client.upload_fileobj(stream, self.bucket, package, ExtraArgs={"ContentType": "application/zip"})
            line = f"{sha512}  {Path(package).name}\n".encode()
            client.put_object(Bucket=self.bucket, Key=checksum, Body=line, ContentType="text/plain")
        return deposit

    def _check_deposited(self, client, package: str, recorded: str, sha512: str) -> None:
        found = recorded.split(maxsplit=1)[0].lower() if recorded.strip() else ""
        if found != sha512:
            raise ConnectorRejected(
                f"{SYSTEM} contient déjà un autre paquet nommé {package} (empreinte {found}) : il n’est pas remplacé"
            )
        body = client.get_object(Bucket=self.bucket, Key=package)["Body"]
        digest = hashlib.sha512()
        while chunk := body.read(CHUNK):
            digest.update(chunk)
        if digest.hexdigest() != sha512:
            raise ConnectorRejected(f"{SYSTEM} : le paquet {package} déjà déposé ne correspond plus à son empreinte")

    def status(self, operation_id: str) -> ArchiveProgress:
        self._deposited(operation_id)
        return ArchiveProgress(done=True, state="COMPLETED", status="OK")

    def reply(self, operation_id: str) -> ArchiveReply:
        """No archival system has looked at the package yet: no ATR (None); the reply says where it lies."""
        package = self._deposited(operation_id)
        return ArchiveReply(
            code=ArchiveReplyCode.OK,
            atr_xml=None,
            message=f"Paquet déposé dans le compartiment {self.bucket} ({package}), avec son empreinte SHA-512.",
        )

    def _deposited(self, operation_id: str) -> str:
        package, checksum = self._keys(sip_name_check(operation_id))
        with _speaking(self):
            if _read_text(self._client(), self.bucket, checksum) is None:
                raise ConnectorRejected(f"{SYSTEM} ne contient pas le paquet {operation_id}")
        return package


def _read_text(client, bucket: str, key: str) -> str | None:
    """The object's text, or None when there is no such object."""
    from botocore.exceptions import ClientError  # noqa: PLC0415

    try:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            return None
        raise


class _speaking:
    """The S3 client's errors as the connectors' errors: a server that cannot be reached or says
    it cannot serve now → ConnectorUnavailable (tried again later); a refusal (no such bucket,
    access denied) → ConnectorRejected (a setting to fix)."""

    def __init__(self, connector: BucketArchive):
        self.where = f"{SYSTEM} ({connector.endpoint or 's3'}/{connector.bucket})"

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        if isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in PASSING or status >= 500:
                raise ConnectorUnavailable(f"{self.where} ne peut pas répondre maintenant : {code}") from error
            raise ConnectorRejected(f"{self.where} a refusé le dépôt : {code} ({status})") from error
        if isinstance(error, BotoCoreError):
            raise ConnectorUnavailable(f"{self.where} est injoignable : {error}") from error
        return False
