"""An invoice as Factur-X: the EN 16931 CII XML written by the `factur-x` library from the
standard's business terms (BT-1, BG-25…) and checked against the library's XSD of the EN 16931
profile, then embedded in the invoice's PDF/A-3 (docs/decisions/0040-invoices-factur-x.md).

The schematron is not run here: since factur-x 6 it needs a Saxon server over HTTP, which the
platform does not run; the XSD and our own arithmetic (amounts.py) are checked on every invoice."""

from datetime import date

import facturx
from lxml import etree

from .amounts import Amounts, InvoiceInvalid

LEVEL = "en16931"
GUIDELINE = "urn:cen.eu:en16931:2017"  # BT-24 of the EN 16931 profile
TYPE_INVOICE, TYPE_CREDIT_NOTE = "380", "381"  # UNTDID 1001
PAYMENT_BY_TRANSFER = "30"  # UNTDID 4461
UNIT = "C62"  # « one » (UN/ECE recommendation 20)
OUTSIDE_SCOPE_REASON = "Hors du champ d’application de la TVA (article 256 B du CGI)"
OUTSIDE_SCOPE_CODE = "VATEX-EU-O"
# The Factur-X XMP extension schema declares the prefix « fx » for its properties. The seal's writer
# (pyHanko, with lxml) writes the XMP again and names a namespace it does not know « ns0 »: lxml's
# registry gives it its prefix back (PDF/A readers and Factur-X checkers look for fx:…).
FACTURX_XMP_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
etree.register_namespace("fx", FACTURX_XMP_NAMESPACE)


def _money(value) -> str:
    return f"{value:.2f}"


def _party(party: dict, *, with_vat: bool) -> dict:
    """A party of the invoice (BG-4 seller, BG-7 buyer) from its copy on the invoice."""
    siret = party["siret"]
    result = {
        "name": party["name"],
        "identifiers": {"0009": siret},  # ISO 6523 0009: SIRET
        "legal_identifier": siret[:9],  # the SIREN
        "legal_identifier_schemeid": "0002",
        "country_code": "FR",
    }
    for key, field in (("street", "addr_l1"), ("postcode", "postcode"), ("city", "city")):
        if party.get(key):
            result[field] = party[key]
    if with_vat and party.get("vat_number"):
        result["vat_identifier"] = party["vat_number"]
    return result


def facturx_data(
    *,
    number: str,
    issue_date: date,
    due_date: date,
    seller: dict,
    buyer: dict,
    amounts: Amounts,
    payment_terms: str,
    credited: tuple[str, date] | None = None,
    buyer_reference: str = "",
    buyer_order: str = "",
) -> dict:
    """The business terms of EN 16931 for one invoice (or credit note, when `credited` gives the
    number and date of the invoice it cancels), as the factur-x library takes them."""
    subject = amounts.subject_to_vat
    if subject and not seller.get("vat_number"):
        raise InvoiceInvalid(
            "Cette facture comporte de la TVA : indiquez d’abord le numéro de TVA intracommunautaire de "
            "l’organisation dans ses réglages de facturation."
        )
    data = {
        "BT-1": number,
        "BT-2": issue_date,
        "BT-3": TYPE_CREDIT_NOTE if credited else TYPE_INVOICE,
        "BT-5": "EUR",
        "BT-9": due_date,
        "BT-20": payment_terms,
        "BT-24": GUIDELINE,
        "BT-72": issue_date,
        "BT-81": PAYMENT_BY_TRANSFER,
        "BG-4": _party(seller, with_vat=subject),
        "BG-7": _party(buyer, with_vat=False),
        "BG-23": [
            {
                "BT-116": _money(part.base),
                "BT-117": _money(part.amount),
                "BT-118": "S" if part.rate else "O",
                **({"BT-119": _money(part.rate)} if part.rate else {}),
                **({} if part.rate else {"BT-120": OUTSIDE_SCOPE_REASON, "BT-121": OUTSIDE_SCOPE_CODE}),
            }
            for part in amounts.vat
        ],
        "BT-106": _money(amounts.total_net),
        "BT-109": _money(amounts.total_net),
        "BT-110": _money(amounts.total_vat),
        "BT-112": _money(amounts.total_gross),
        "BT-115": _money(amounts.total_gross),
        "BG-25": [
            {
                "BT-126": str(line.position),
                "BT-153": line.label,
                "BT-146": _money(line.unit_price),
                "BT-129": f"{line.quantity.normalize():f}",
                "BT-130": UNIT,
                "BT-151": "S" if line.vat_rate else "O",
                **({"BT-152": _money(line.vat_rate)} if line.vat_rate else {}),
                "BT-131": _money(line.net_amount),
            }
            for line in amounts.lines
        ],
    }
    if buyer_reference:
        data["BT-10"] = buyer_reference
    if buyer_order:
        data["BT-13"] = buyer_order
    if credited:
        data["BG-3"] = [{"BT-25": credited[0], "BT-26": credited[1]}]
    return data


def facturx_xml(data: dict) -> bytes:
    """The CII XML of the EN 16931 profile, checked against its XSD by the library (which raises
    on an invalid document: a defect of ours, never of the person who asked)."""
    return facturx.generate_cii_xml(dict(data), level=LEVEL, check_xsd=True, check_schematron=False)


def facturx_xml_check(xml: bytes) -> None:
    """Check a CII XML against the XSD of the EN 16931 profile; raises when it is not valid."""
    facturx.xml_check_xsd(xml, flavor="factur-x", level=LEVEL)


def facturx_embed(pdf: bytes, xml: bytes, *, title: str, author: str) -> bytes:
    """The PDF/A-3 with the XML inside as factur-x.xml (AFRelationship Data) and the Factur-X XMP
    metadata; the XMP is left uncompressed so that the seal, added after, keeps it readable."""
    return facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=LEVEL,
        check_xsd=True,
        check_schematron=False,
        pdf_metadata={"author": author, "title": title, "subject": title},
        lang="fr-FR",
        xmp_compression=False,
    )


def facturx_xml_from_pdf(pdf: bytes) -> bytes:
    """The Factur-X XML that a PDF carries (as a company's software reads it)."""
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    if not xml:
        raise InvoiceInvalid("Ce PDF ne contient pas de XML Factur-X.")
    return xml
