"""A procedure's fee charged to a company (payer « company », procedures/fees.py), invoiced by
itself: the follow-up chain issues the invoice at the fee's moment (the filing, or the acceptance),
and cancels it with a credit note when the dossier is refused, withdrawn or closed before it is paid
(docs/decisions/0046-fee-invoices.md). Both are idempotent: one live invoice per dossier and moment
(the `origin` key and its database constraint), one credit note per invoice."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from guichet.dossiers.models import Dossier, DossierState, TransitionLog
from guichet.procedures.definition import FormDefinition
from guichet.procedures.fees import FeeAmount, FeeDefinition, FeeMoment, FeePayer, FeeUncomputable, fee_lines
from guichet.procedures.identity_purposes import IdentityPurpose
from guichet.procedures.selectors import version_form

from .amounts import QUANTITY_STEP, InvoiceInvalid, Line
from .models import Invoice, InvoiceKind, InvoiceStatus
from .services import Customer, invoice_credit, invoice_issue

ORIGIN_PREFIX = "fee:"
# The states in which a dossier's fee is no longer owed: its unpaid invoice is cancelled.
FEE_NOT_OWED = frozenset({DossierState.REFUSED, DossierState.WITHDRAWN, DossierState.CLOSED})
# The company's identity fields, when the fee names none (the builder's « finalité » of a field).
STREET_PURPOSES = (IdentityPurpose.STREET_ADDRESS, IdentityPurpose.ADDRESS_LINE1)


def company_fee(dossier: Dossier) -> FeeDefinition | None:
    """The fee of the dossier's version when it is charged to a company, else None."""
    fee = version_form(dossier.version_id).fee
    if fee is None or not fee.charges or fee.payer != FeePayer.COMPANY:
        return None
    return fee


def fee_origin(dossier: Dossier, moment: str) -> str:
    return f"{ORIGIN_PREFIX}{dossier.pk}:{moment}"


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _purpose_answer(form: FormDefinition, answers: Mapping[str, Any], purposes: tuple[str, ...]) -> str:
    for field in form.iter_fields():
        if field.autocomplete in purposes and _text(answers.get(field.id)):
            return _text(answers.get(field.id))
    return ""


def fee_customer(*, form: FormDefinition, fee: FeeDefinition, answers: Mapping[str, Any]) -> Customer:
    """The company invoiced, read from the answers: the SIRET field the fee names, its name and
    address from the fields the fee names, or else from the form's company identity fields
    (« Organisme ou entreprise », the address's purposes). InvoiceInvalid says what is missing."""
    labels = {field.id: field.label for field in form.iter_fields()}
    siret_field = fee.payer_siret_field or ""
    siret = _text(answers.get(siret_field))
    if not siret:
        label = labels.get(siret_field, siret_field)
        raise InvoiceInvalid(f"Le SIRET de l’entreprise à facturer n’est pas renseigné (champ « {label} »).")
    if fee.payer_name_field:
        name = _text(answers.get(fee.payer_name_field))
        where = f"champ « {labels.get(fee.payer_name_field, fee.payer_name_field)} »"
    else:
        name = _purpose_answer(form, answers, (IdentityPurpose.ORGANIZATION,))
        where = "aucun champ « Organisme ou entreprise » renseigné"
    if not name:
        raise InvoiceInvalid(f"Le nom de l’entreprise à facturer manque dans les réponses ({where}).")
    if fee.payer_address_field:
        address = answers.get(fee.payer_address_field)
        address = address if isinstance(address, Mapping) else {}
        street, postcode, city = (_text(address.get(key)) for key in ("street", "postcode", "city"))
    else:
        street = _purpose_answer(form, answers, STREET_PURPOSES)
        postcode = _purpose_answer(form, answers, (IdentityPurpose.POSTAL_CODE,))
        city = _purpose_answer(form, answers, (IdentityPurpose.ADDRESS_LEVEL2,))
    return Customer(name=name, siret=siret, street=street, postcode=postcode, city=city)


def fee_invoice_lines(amount: FeeAmount) -> list[Line]:
    """The invoice's lines for the fee's lines: those of zero quantity dropped. A quantity finer
    than the invoice's (the thousandth) is invoiced as one unit at the line's net amount, with the
    quantity in its label: the line's amount, and so every total, stays the fee's to the cent."""
    lines = []
    for line in amount.lines:
        if not line.quantity:
            continue
        if line.quantity == line.quantity.quantize(QUANTITY_STEP):
            lines.append(Line(line.label, line.quantity, line.unit_price, line.vat_rate))
        else:
            quantity = f"{line.quantity.normalize():f}".replace(".", ",")
            label = f"{line.label} (quantité {quantity})"[:200]
            lines.append(Line(label, Decimal("1"), line.net, line.vat_rate))
    return lines


# What issues a fee's invoice by itself, as the invoice panel and the audit say it.
CAUSES = {FeeMoment.BEFORE_FILING: "au dépôt du dossier", FeeMoment.AFTER_ACCEPTANCE: "à l’acceptation du dossier"}


def fee_invoice_cause(*, moment: FeeMoment, transition: TransitionLog | None) -> tuple[Any, str]:
    """Who answers for an invoice issued by itself, and the sentence saying so: the instructor
    whose acceptance issued it (its `issued_by`), else nobody, « Automatique » with the transition
    (the applicant's filing, an acceptance by the platform or through the API)."""
    cause = f"Automatique, {CAUSES[moment]}"
    if transition is None:
        return None, cause
    when = f" du {timezone.localtime(transition.at):%d/%m/%Y}"
    role = TransitionLog.ActorRole
    if moment == FeeMoment.AFTER_ACCEPTANCE and transition.actor_id and transition.actor_role == role.INSTRUCTOR:
        return transition.actor, f"{cause}{when} par {transition.actor_name}"[:200]
    by = {role.APPLICANT: " par l’usager", role.SYSTEM: " (sans intervention)"}.get(transition.actor_role, "")
    if transition.actor_label and not transition.actor_id:
        by = f" par {transition.actor_label}"
    return None, f"{cause}{when}{by}"[:200]


def _live_invoice(origin: str) -> Invoice | None:
    return (
        Invoice.objects.filter(origin=origin, kind=InvoiceKind.INVOICE).exclude(status=InvoiceStatus.CANCELLED).first()
    )


def fee_invoice_issue(
    *, dossier: Dossier, moment: FeeMoment, transition: TransitionLog | None = None
) -> Invoice | None:
    """Issue the invoice of the dossier's fee charged to a company, due at `moment`, caused by
    `transition` (fee_invoice_cause: its instructor, or « automatique »); idempotent:
    the invoice already issued for this dossier and moment is returned. None when there is nothing
    to invoice (no such fee, nothing due, the dossier refused or withdrawn meanwhile, or its
    acceptance reopened). InvoiceInvalid says, in French, what the instructor must look at."""
    fee = company_fee(dossier)
    if fee is None or fee.moment != moment:
        return None
    origin = fee_origin(dossier, moment)
    try:
        with transaction.atomic():
            # One issuer per dossier at a time; the constraint on `origin` holds against the rest.
            dossier = (
                Dossier.objects.select_for_update(of=("self",))
                .select_related("procedure__organisation")
                .get(pk=dossier.pk)
            )
            existing = _live_invoice(origin)
            if existing is not None:
                return existing
            if dossier.state in FEE_NOT_OWED or (
                moment == FeeMoment.AFTER_ACCEPTANCE and dossier.state != DossierState.ACCEPTED
            ):
                return None
            try:
                amount = fee_lines(definition=fee, answers=dossier.answers)
            except FeeUncomputable as error:
                raise InvoiceInvalid(f"Les frais ne peuvent pas être calculés : {error}.") from error
            lines = fee_invoice_lines(amount)
            if not lines or not amount.total:
                return None
            customer = fee_customer(form=version_form(dossier.version_id), fee=fee, answers=dossier.answers)
            actor, cause = fee_invoice_cause(moment=moment, transition=transition)
            invoice = invoice_issue(
                dossier=dossier,
                customer=customer,
                lines=lines,
                actor=actor,
                issued_for=cause,
                details={"transition": transition.pk} if transition else None,
            )
            Invoice.objects.filter(pk=invoice.pk).update(origin=origin)
            invoice.origin = origin
            return invoice
    except IntegrityError:
        existing = _live_invoice(origin)
        if existing is None:
            raise
        return existing


def fee_invoices_cancel(*, dossier: Dossier, actor=None) -> list[Invoice]:
    """Cancel with a credit note each invoice of the dossier's fee that is not paid (nor cancelled
    already); returns the credit notes made. Repeated, it makes none twice. An invoice whose
    deposit on Chorus Pro is under way raises InvoiceInvalid: to be tried again later."""
    credit_notes = []
    with transaction.atomic():
        list(Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk", flat=True))
        invoices = Invoice.objects.filter(
            dossier=dossier, kind=InvoiceKind.INVOICE, origin__startswith=ORIGIN_PREFIX
        ).exclude(status__in=(InvoiceStatus.CANCELLED, InvoiceStatus.PAID))
        for invoice in invoices.order_by("pk"):
            credit_notes.append(invoice_credit(invoice=invoice, actor=actor))
    return credit_notes
