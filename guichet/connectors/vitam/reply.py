"""Reading Vitam's ArchiveTransferReply (SEDA 2.1 or 2.2, the namespace is not checked): its
ReplyCode, the SystemId Vitam gave each archive unit of the manifest, and, when the transfer was
refused or accepted with warnings, the events that say why, in the words Vitam gives them."""

from lxml import etree

from ..base import ArchiveReply, ArchiveReplyCode, ConnectorRejected

SYSTEM = "Vitam"
# A reply from the network is parsed without entities, DTDs or network access.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
# Vitam's words for a failure: FATAL is a technical failure on Vitam's side, which refuses the transfer too.
_FAILED = {"KO", "FATAL"}


def _local(element) -> str:
    return etree.QName(element).localname


def _children(element, name: str) -> list:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def _text(element, name: str) -> str:
    found = _children(element, name)
    return " ".join((found[0].text or "").split()) if found else ""


def atr_read(content: bytes, *, http_status: int) -> ArchiveReply:
    """The reply in `content` (the body of `…/archivetransferreply`, answered with `http_status`:
    200 OK, 206 warning, 400 refused, which gives the code when the ATR has no ReplyCode)."""
    try:
        root = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as error:
        raise ConnectorRejected(f"{SYSTEM} a répondu un accusé de transfert illisible : {error}") from error
    if _local(root) != "ArchiveTransferReply":
        raise ConnectorRejected(f"{SYSTEM} a répondu autre chose qu’un accusé de transfert ({_local(root)})")
    reply_code = _text(root, "ReplyCode").upper()
    if reply_code in _FAILED:
        code = ArchiveReplyCode.KO
    elif reply_code in ArchiveReplyCode.values:
        code = ArchiveReplyCode(reply_code)
    else:
        code = {200: ArchiveReplyCode.OK, 206: ArchiveReplyCode.WARNING}.get(http_status, ArchiveReplyCode.KO)
    return ArchiveReply(code=code, atr_xml=content, unit_ids=_unit_ids(root), message=_message(root, code, reply_code))


def _unit_ids(root) -> dict[str, str]:
    units = {}
    for unit in root.iter("{*}ArchiveUnit"):
        manifest_id = unit.get("id")
        contents = _children(unit, "Content")
        system_id = _text(contents[0], "SystemId") if contents else ""
        if manifest_id and system_id:
            units[manifest_id] = system_id
    return units


def _message(root, code: ArchiveReplyCode, reply_code: str) -> str:
    """The events that went wrong (or warned), each as `what : why (detail)`, most specific first:
    Vitam lists the whole process before its steps, and the steps say what to fix."""
    if code == ArchiveReplyCode.OK:
        return ""
    wanted = _FAILED if code == ArchiveReplyCode.KO else {"WARNING"}
    lines: list[str] = []
    for event in reversed(list(root.iter("{*}Event"))):
        if _text(event, "Outcome").upper() not in wanted:
            continue
        what = _text(event, "EventType") or _text(event, "EventTypeCode") or "Étape"
        why = _text(event, "OutcomeDetailMessage") or _text(event, "EventDetail") or _text(event, "OutcomeDetail")
        detail = _text(event, "EventDetailData")
        line = f"{what} : {why}" if why else what
        if detail:
            line += f" ({detail})"
        if line not in lines:
            lines.append(line)
    if not lines:
        if code == ArchiveReplyCode.KO:
            given = reply_code or "sans code de réponse"
            lines.append(f"{SYSTEM} a refusé le transfert ({given}) sans en donner la raison.")
        else:
            lines.append(f"{SYSTEM} a accepté le transfert avec des avertissements, sans les détailler.")
    elif reply_code == "FATAL":
        lines.insert(0, f"Erreur technique de {SYSTEM} (FATAL) : le transfert pourra être présenté de nouveau.")
    return "\n".join(lines)
