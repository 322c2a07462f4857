"""The electronic seal of acts: a PAdES signature made with pyHanko, with a visible block.

The key and the timestamping authority are connectors (guichet/connectors/): the registry gives the
seal's key (a PKCS#11 token, a PKCS#12 file or, in development, the development authority) and, when
one is configured, the RFC 3161 authority that makes the seal PAdES B-T instead of B-B. See
docs/decisions/0010-sealed-acts.md."""

import asyncio
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from guichet.connectors.registry import connector_for

SEAL_FIELD = "Cachet"
# The visible block, on the last page, in the bottom margin that the layout keeps free on the right
# (documents/templates/documents/act.html): x1, y1, x2, y2 in points from the bottom left of A4.
SEAL_BOX = (318, 26, 566, 112)


_STAMP_CHARACTERS = (
    list(range(0x20, 0x7F))
    + list(range(0xA0, 0x180))
    + [0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x202F]
)
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


@cache
def _stamp_font_path() -> str | None:
    """A small copy of a system font with the characters of French, for the visible block: PDF/A
    wants every font embedded, and embedding the whole of DejaVu in every act would cost time."""
    source = next((path for path in _FONT_CANDIDATES if Path(path).exists()), None)
    if source is None:
        return None
    target = Path(settings.VAR_DIR) / "seal-font" / f"{Path(source).stem}-cachet-1000.ttf"
    if not target.exists():
        from fontTools import subset  # noqa: PLC0415 (a dependency of WeasyPrint)
        from fontTools.ttLib import TTFont  # noqa: PLC0415

        options = subset.Options()
        # Plain text in one size: no layout, math or hinting tables, which pyHanko would otherwise
        # read again for every act.
        options.drop_tables += ["FFTM", "MATH", "GSUB", "GPOS", "GDEF", "kern", "fpgm", "prep", "cvt "]
        options.layout_features = []
        options.hinting = False
        font = TTFont(source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_STAMP_CHARACTERS)
        subsetter.subset(font)
        # pyHanko writes the glyphs' widths in font units where PDF wants thousandths of an em:
        # right only for fonts of 1000 units per em (DejaVu has 2048), so scale the copy.
        from fontTools.ttLib.scaleUpem import scale_upem  # noqa: PLC0415

        scale_upem(font, 1000)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(partial))
        os.replace(partial, target)
    return str(target)


@cache
def _stamp_font_factory():
    """pyHanko's font factory for the block, reading the font from memory (its own opens the file
    for every act and leaves it open)."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory  # noqa: PLC0415

    path = _stamp_font_path()
    if path is None:
        return None
    data = Path(path).read_bytes()

    class InMemoryFontFactory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(data),
                font_size=self.font_size,
                ot_script_tag=self.ot_script_tag,
                ot_language_tag=self.ot_language_tag,
                writing_direction=self.writing_direction,
                bcp47_lang_code=self.bcp47_lang_code,
                obj_stream=obj_stream,
            )

    return InMemoryFontFactory(path)


@dataclass(frozen=True)
class Sealed:
    pdf: bytes
    level: str  # "PAdES-B-B" or "PAdES-B-T"


def pdf_seal(
    pdf: bytes, *, signatory: str, signer=None, timestamper=None, use_settings_timestamper: bool = True
) -> Sealed:
    """Seal a PDF: a PAdES signature in an incremental update, with a visible block on the last
    page naming the signatory and the date. The signer is the seal connector's unless given. With a
    timestamper (the timestamping connector's by default, when one is configured), the signature
    carries an RFC 3161 timestamp (PAdES B-T)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415
    from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: PLC0415
    from pyhanko.sign import fields, signers  # noqa: PLC0415
    from pyhanko.sign.general import SigningError  # noqa: PLC0415
    from pyhanko.stamp import TextStampStyle  # noqa: PLC0415

    signer = signer or connector_for("seal").signer()
    if timestamper is None and use_settings_timestamper:
        authority = connector_for("timestamp")
        timestamper = authority.timestamper() if authority is not None else None
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=f"Cachet électronique — {signatory}"[:200],
        location="France",
    )
    font = _stamp_font_factory()
    text_box = TextBoxStyle(font=font, font_size=8) if font is not None else None
    style = TextStampStyle(
        stamp_text=(
            "Cachet électronique de l’administration\n"
            f"{_stamp_escape(signatory)}\n"
            "Scellé le %(ts)s\n"
            "Certificat : %(signer)s"
        ),
        timestamp_format="%d/%m/%Y à %H:%M:%S (UTC%z)",
        border_width=1,
        **({"text_box_style": text_box} if text_box else {}),
    )
    pdf_signer = _pdf_17_signer_class()(
        metadata,
        signer=signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(SEAL_FIELD, on_page=-1, box=SEAL_BOX),
    )
    key = _reservation_key(signer, timestamper)
    reserved = _RESERVED.get(key)

    def sign(bytes_reserved: int | None) -> bytes:
        output = io.BytesIO()
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        _info_kept_equivalent_to_xmp(writer)
        _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=output, bytes_reserved=bytes_reserved))
        return output.getvalue()

    try:
        sealed = sign(reserved)
    except SigningError:
        if reserved is None:
            raise
        # The room kept was too small after all (a longer timestamp answer): measured again.
        _RESERVED.pop(key, None)
        reserved = None
        sealed = sign(None)
    if reserved is None and key is not None:
        _RESERVED[key] = _reserved_room(sealed)
    return Sealed(pdf=sealed, level="PAdES-B-T" if timestamper is not None else "PAdES-B-B")


# What pyHanko would add to PDF 1.7 when it signs: PDF 2.0 extensions. The signature algorithms
# (`SignedDigestAlgorithm.signature_algo`) and digests that only PDF 2.0 defines (ISO/TS 32001, 32002).
_PDF_20_SIGNATURE_ALGORITHMS = frozenset({"ed25519", "ed448"})


def _pdf_20_digest(md_algorithm: str) -> bool:
    return md_algorithm.startswith("sha3_") or md_algorithm == "shake256"


def _info_kept_equivalent_to_xmp(writer) -> None:
    """PDF/A wants the document information dictionary and the XMP to say the same (ISO 19005-3,
    6.6.3). pyHanko, on writing, sets the XMP's pdf:Producer to its own name but appends that name
    to the /Producer of the dictionary: both are made to agree here, before it writes them, and so
    is the creation date (factur-x reads the clock twice for them, a second may pass between).
    Empty entries (factur-x writes an empty /Keywords, with no XMP counterpart) are left out."""
    from pyhanko.pdf_utils import generic  # noqa: PLC0415
    from pyhanko.pdf_utils.metadata.model import VENDOR  # noqa: PLC0415

    reference = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
    if reference is None:
        return
    info = reference.get_object()
    for key in [key for key, value in info.items() if isinstance(value, str) and not value]:
        del info[key]
    info["/Producer"] = generic.TextStringObject(VENDOR)
    if "/CreationDate" in info:
        writer.document_meta.created = generic.parse_pdf_date(str(info["/CreationDate"]), strict=False)
    writer.mark_update(reference)


def _pdf_17_signer_class():
    """pyHanko's signer, keeping the sealed PDF on the PDF 1.7 that PDF/A-3 is built on.

    pyHanko declares the ISO/TS 32002 extension, and so raises the catalog's /Version to 2.0, for
    every ECDSA key on a NIST or Brainpool curve (the development seal is P-256; RGS seals may be
    too). That extension only restates ECDSA for PDF 2.0: PAdES on PDF 1.7, declared by ETSI's ESIC
    extension, already carries ECDSA in its CMS. So the seal declares ESIC alone, and a key or digest
    that exists only in PDF 2.0 (EdDSA, SHA-3) is refused rather than turning an act into a PDF 2.0
    that still says PDF/A-3. See docs/decisions/0020-pdfa-through-sealing.md."""
    from pyhanko.sign import fields, signers  # noqa: PLC0415
    from pyhanko.sign.general import SigningError  # noqa: PLC0415
    from pyhanko.sign.signers.constants import ESIC_EXTENSION_1  # noqa: PLC0415

    class Pdf17Signer(signers.PdfSigner):
        def register_extensions(self, pdf_out, *, md_algorithm: str) -> None:
            try:
                algorithm = self.signer.get_signature_mechanism_for_digest(md_algorithm).signature_algo
            except (SigningError, ValueError):
                algorithm = None  # as pyHanko: a signer that cannot tell needs no extension of its own
            if algorithm in _PDF_20_SIGNATURE_ALGORITHMS or _pdf_20_digest(md_algorithm):
                raise SigningError(
                    f"Le cachet ({algorithm}, {md_algorithm}) exige PDF 2.0 : les actes sont en PDF/A-3 "
                    "(PDF 1.7). Utilisez une clé RSA ou ECDSA et SHA-256."
                )
            pdf_out.ensure_output_version(version=(1, 7))
            if self.signature_meta.subfilter == fields.SigSeedSubFilter.PADES:
                pdf_out.register_extension(ESIC_EXTENSION_1)

    return Pdf17Signer


# The room kept in the PDF for the signature, by key and timestamping authority. Without it pyHanko
# makes a whole trial signature before each real one to measure it (with half again as margin): a
# sixth of an act's making. Measured once per process from the first seal, as pyHanko measures it.
_RESERVED: dict[tuple, int] = {}
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _reservation_key(signer, timestamper) -> tuple | None:
    certificate = getattr(signer, "signing_cert", None)
    if certificate is None:
        return None
    authority = getattr(timestamper, "url", None) if timestamper is not None else None
    return (certificate.sha256, type(timestamper).__name__, authority)


def _reserved_room(sealed: bytes) -> int:
    """The size of the signature's placeholder in a sealed PDF: the gap its last byte range leaves,
    less the two angle brackets of the hexadecimal string."""
    start, length, after, _ = (int(value) for value in _BYTE_RANGE.findall(sealed)[-1])
    return after - (start + length) - 2


def _outside_event_loop(function):
    """pyHanko's synchronous API runs its own event loop: where one already runs (an ASGI server, a
    test driving a browser), it signs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function).result()


def _stamp_escape(text: str) -> str:
    # The stamp's text is a %-format string: a signatory's "%" must stay a "%".
    return " ".join(text.split()).replace("%", "%%")
