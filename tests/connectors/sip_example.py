"""A tiny SEDA 2.2 package (SIP) written by hand for the archival connectors' tests: a manifest
valid against the SIAF schemas and Vitam's variant (one dossier, one act, one binary in a
DataObjectGroup) and the binary it describes. The archives app builds the real ones."""

import hashlib
import io
import zipfile
from pathlib import Path

ACT = b"%PDF-1.7\n% Arrete du 1er decembre 2026, dossier 2026-000042\n%%EOF\n"

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransfer xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2">
  <Date>2026-12-01T10:00:00</Date>
  <MessageIdentifier>GUICHET-2026-000042</MessageIdentifier>
  <ArchivalAgreement>IC-000001</ArchivalAgreement>
  <CodeListVersions>
    <ReplyCodeListVersion>ReplyCodeListVersion0</ReplyCodeListVersion>
    <MessageDigestAlgorithmCodeListVersion>MessageDigestAlgorithmCodeListVersion0</MessageDigestAlgorithmCodeListVersion>
    <FileFormatCodeListVersion>FileFormatCodeListVersion0</FileFormatCodeListVersion>
  </CodeListVersions>
  <DataObjectPackage>
    <DataObjectGroup id="GRP1">
      <BinaryDataObject id="BDO1">
        <DataObjectVersion>BinaryMaster_1</DataObjectVersion>
        <Uri>content/arrete.pdf</Uri>
        <MessageDigest algorithm="SHA-512">{digest}</MessageDigest>
        <Size>{size}</Size>
      </BinaryDataObject>
    </DataObjectGroup>
    <DescriptiveMetadata>
      <ArchiveUnit id="AU1">
        <Content>
          <DescriptionLevel>File</DescriptionLevel>
          <Title>Dossier 2026-000042</Title>
        </Content>
        <ArchiveUnit id="AU2">
          <Content>
            <DescriptionLevel>Item</DescriptionLevel>
            <Title>Arrêté du 1er décembre 2026</Title>
          </Content>
          <DataObjectReference>
            <DataObjectGroupReferenceId>GRP1</DataObjectGroupReferenceId>
          </DataObjectReference>
        </ArchiveUnit>
      </ArchiveUnit>
    </DescriptiveMetadata>
    <ManagementMetadata>
      <OriginatingAgencyIdentifier>MAIRIE-EXEMPLE</OriginatingAgencyIdentifier>
    </ManagementMetadata>
  </DataObjectPackage>
  <ArchivalAgency><Identifier>AD-EXEMPLE</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>MAIRIE-EXEMPLE</Identifier></TransferringAgency>
</ArchiveTransfer>
"""


def sip_bytes(*, manifest: str | None = None, act: bytes = ACT, declared_digest: str | None = None) -> bytes:
    """The package as a ZIP. `manifest` replaces the manifest (use MANIFEST.format(...) to break
    it); `declared_digest` the digest the manifest gives the act."""
    if manifest is None:
        manifest = MANIFEST.format(digest=declared_digest or hashlib.sha512(act).hexdigest(), size=len(act))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.xml", manifest)
        archive.writestr("content/arrete.pdf", act)
    return buffer.getvalue()


def sip_file(directory: Path, **options) -> tuple[Path, str]:
    """The package written in `directory`, and its SHA-512."""
    content = sip_bytes(**options)
    path = directory / "sip.zip"
    path.write_bytes(content)
    return path, hashlib.sha512(content).hexdigest()
