"""What a PDF says it is: the PDF/A part and conformance level its XMP metadata declares, and the PDF
version it really is (its header, or its catalog's /Version when that is later, as an incremental
update may write). Archives identify formats: a file declaring PDF/A-3 must be PDF 1.7 at most,
one declaring PDF/A-4 must be PDF 2.0. The archives' package builder checks every PDF with
`pdfa_identification(...).agrees` before putting it in a package."""

import io
import re
from typing import NamedTuple

from lxml import etree

PDFAID_NAMESPACE = "http://www.aiim.org/pdfa/ns/id/"
RDF_NAMESPACE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# The PDF version each part of ISO 19005 is built on: PDF/A-1 on PDF 1.4, PDF/A-2 and PDF/A-3 on
# ISO 32000-1 (PDF 1.7), PDF/A-4 on ISO 32000-2 (PDF 2.0).
PDFA_BASE_VERSION = {1: (1, 4), 2: (1, 7), 3: (1, 7), 4: (2, 0)}

_HEADER = re.compile(rb"%PDF-(\d)\.(\d)")


class PdfAIdentification(NamedTuple):
    declared_part: int | None  # pdfaid:part; None when the XMP declares no PDF/A part
    conformance: str | None  # pdfaid:conformance ("A", "B", "U"; "E" or "F" for PDF/A-4; None for plain PDF/A-4)
    effective_version: tuple[int, int]  # (1, 7) for PDF 1.7

    @property
    def agrees(self) -> bool:
        """The file is of the PDF version its declared PDF/A part is built on: at most 1.4 for
        PDF/A-1, at most 1.7 for PDF/A-2 and PDF/A-3, exactly 2.0 for PDF/A-4."""
        base = PDFA_BASE_VERSION.get(self.declared_part)
        if base is None:
            return False
        return self.effective_version == base if self.declared_part == 4 else self.effective_version <= base

    @property
    def version_text(self) -> str:
        return "{}.{}".format(*self.effective_version)


class NotAPdf(ValueError):
    pass


def pdfa_identification(data: bytes) -> PdfAIdentification:
    """Read a PDF's declared PDF/A identification (XMP `pdfaid:part` and `pdfaid:conformance`, from
    the catalog's /Metadata of its latest revision) and its effective version (the header's, or
    the catalog's /Version when later: ISO 32000-1, 7.7.2). Raises NotAPdf for what is not a PDF."""
    from pyhanko.pdf_utils.misc import PdfReadError  # noqa: PLC0415 (heavy: loaded when a PDF is read)
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415

    header = _HEADER.search(data[:1024])
    if header is None:
        raise NotAPdf("Ce fichier n’a pas d’en-tête PDF.")
    version = (int(header.group(1)), int(header.group(2)))
    try:
        root = PdfFileReader(io.BytesIO(data), strict=False).root
        catalog_version = _version_of(root.get("/Version"))
        metadata = root.get("/Metadata")
        xmp = metadata.get_object().data if metadata is not None else b""
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise NotAPdf(f"Ce fichier PDF est illisible : {error}") from error
    if catalog_version is not None and catalog_version > version:
        version = catalog_version
    part, conformance = _pdfaid(xmp)
    return PdfAIdentification(part, conformance, version)


def _version_of(name) -> tuple[int, int] | None:
    found = re.fullmatch(r"/?(\d)\.(\d)", str(name)) if name is not None else None
    return (int(found.group(1)), int(found.group(2))) if found else None


def _pdfaid(xmp: bytes) -> tuple[int | None, str | None]:
    """pdfaid:part and pdfaid:conformance, written as attributes of an rdf:Description or as its
    elements (both are RDF/XML)."""
    if not xmp.strip():
        return None, None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        tree = etree.fromstring(xmp.strip(), parser=parser)
    except etree.XMLSyntaxError:
        return None, None
    values: dict[str, str] = {}
    for description in tree.iter(f"{{{RDF_NAMESPACE}}}Description"):
        for name in ("part", "conformance"):
            value = description.get(f"{{{PDFAID_NAMESPACE}}}{name}")
            if value is None:
                element = description.find(f"{{{PDFAID_NAMESPACE}}}{name}")
                value = element.text if element is not None else None
            if value is not None and value.strip():
                values.setdefault(name, value.strip())
    part = values.get("part")
    return (int(part) if part and part.isdigit() else None), values.get("conformance")
