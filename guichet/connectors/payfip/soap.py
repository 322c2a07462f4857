"""The SOAP messages of PayFiP's web service `PaiementSecuriseService` (document/literal, the
WSDL that eopayment ships: /work/shared/reference/connectors.md §8). A request is the operation's
element holding `arg0` (its fields unqualified); an answer holds `return`; a refusal is a SOAP
fault whose detail is a `FonctionnelleErreur` (code, libelle, descriptif) or a technical error."""

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = (
    "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/"
    "contrat_paiement_securise/PaiementSecuriseService"
)
FUNCTIONAL_ERROR = "FonctionnelleErreur"
TECHNICAL_ERRORS = ("TechDysfonctionnementErreur", "TechIndisponibiliteErreur", "TechProtocolaireErreur")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class SoapFault(Exception):
    """The service answered with a fault: `kind` is the detail's element (FonctionnelleErreur...),
    `code` its code (P1, P5...), the message its libelle or descriptif."""

    def __init__(self, kind: str, code: str, message: str):
        super().__init__(f"{kind} {code} : {message}")
        self.kind, self.code, self.message = kind, code, message


def soap_request(operation: str, fields: dict[str, str | None]) -> bytes:
    envelope = etree.Element(etree.QName(SOAP_ENV, "Envelope"), nsmap={"soapenv": SOAP_ENV, "ser": SERVICE_NS})
    body = etree.SubElement(envelope, etree.QName(SOAP_ENV, "Body"))
    call = etree.SubElement(body, etree.QName(SERVICE_NS, operation))
    arg = etree.SubElement(call, "arg0")
    for name, value in fields.items():
        if value is not None:
            etree.SubElement(arg, name).text = value
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def soap_answer(content: bytes, operation: str) -> dict[str, str]:
    """The fields of `<operation>Response/return`; SoapFault for a fault, ValueError when the
    answer is not the expected message."""
    root = etree.fromstring(content, _PARSER)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        raise ValueError("réponse SOAP sans Body")
    fault = body.find(f"{{{SOAP_ENV}}}Fault")
    if fault is not None:
        raise _fault(fault)
    answer = body.find(f"{{{SERVICE_NS}}}{operation}Response")
    returned = answer.find("return") if answer is not None else None
    if returned is None:
        raise ValueError(f"réponse SOAP sans {operation}Response/return")
    return {_local(child.tag): (child.text or "").strip() for child in returned}


def _fault(fault) -> SoapFault:
    string = (fault.findtext("faultstring") or "").strip()
    detail = fault.find("detail")
    for error in detail if detail is not None else ():
        kind = _local(error.tag)
        if kind == FUNCTIONAL_ERROR or kind in TECHNICAL_ERRORS:
            message = (error.findtext("libelle") or error.findtext("descriptif") or string).strip()
            return SoapFault(kind, (error.findtext("code") or "").strip(), message)
    return SoapFault("Fault", "", string)
