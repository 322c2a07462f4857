"""Invoices to companies and the credit notes that cancel them: numbered without gaps per
organisation and year, with their lines in exact decimals, their sealed Factur-X PDF, and where
Chorus Pro is with each of them (docs/decisions/0040-invoices-factur-x.md, 0041-chorus-pro-deposit.md)."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import validate_siret
from guichet.core.models import TimeStampedModel

AMOUNT = {"max_digits": 14, "decimal_places": 2}


def _private_storage():
    return storages["private"]


class InvoicingSettings(models.Model):
    """What an organisation's invoices say of it besides its name, SIRET and address."""

    organisation = models.OneToOneField(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invoicing"
    )
    # Needed only for invoices with VAT: the fees of a public body are mostly outside its scope.
    vat_number = models.CharField(_("numéro de TVA intracommunautaire"), max_length=20, blank=True)
    payment_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), default=30)
    payment_terms = models.CharField(
        _("conditions de paiement"), max_length=300, default="Paiement à réception, par virement au Trésor public."
    )

    class Meta:
        verbose_name = _("réglages de facturation")
        verbose_name_plural = _("réglages de facturation")

    def __str__(self) -> str:
        return str(self.organisation)


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Facture")
    CREDIT_NOTE = "credit_note", _("Avoir")


class InvoiceStatus(models.TextChoices):
    """Where an invoice is in its life, from its issue to its payment (Chorus Pro's own status
    code is kept beside it, in `platform_status`)."""

    ISSUED = "issued", _("Émise, à déposer sur Chorus Pro")
    DEPOSITED = "deposited", _("Déposée sur Chorus Pro")
    AVAILABLE = "available", _("Mise à disposition de l’entreprise")
    REJECTED = "rejected", _("Rejetée")
    PAID = "paid", _("Payée")
    CANCELLED = "cancelled", _("Annulée par un avoir")
    # A credit note of an invoice that Chorus Pro never received (its deposit rejected, or never
    # made): kept in the organisation's books, never deposited, as the company never got the invoice.
    KEPT = "kept", _("Conservé, sans dépôt : la facture annulée n’a jamais été reçue par Chorus Pro")
    # A credit note rejected by Chorus Pro or the company, replaced by a new one (its number stays
    # in the series; it has no effect in the books: docs/decisions/0054).
    REPLACED = "replaced", _("Remplacé par un nouvel avoir, sans effet")

    @classmethod
    def followed(cls) -> list[str]:
        """The statuses in which the worker still has something to do with Chorus Pro."""
        return [cls.ISSUED, cls.DEPOSITED, cls.AVAILABLE]


# Chorus Pro's statuses in which the company's buyer waits for the organisation: they alert the
# instructors once (deposits.py), with what to do (WHAT_TO_DO).
ALERT_CODES = ("A_RECYCLER", "SUSPENDUE")

# Chorus Pro's status codes (statutCourantCode, etatCourantDepotFlux) as the people see them.
PLATFORM_STATUS_LABELS = {
    "IN_INTEGRE": "Dépôt intégré",
    "IN_INTEGRE_PARTIEL": "Dépôt intégré en partie",
    "IN_REJETE": "Dépôt rejeté",
    "DEPOSEE": "Déposée",
    "MISE_A_DISPOSITION": "Mise à disposition",
    "A_RECYCLER": "À recycler",
    "SUSPENDUE": "Suspendue",
    "REJETEE": "Rejetée",
    "SERVICE_FAIT": "Service fait",
    "MANDATEE": "Mandatée",
    "MISE_EN_PAIEMENT": "Mise en paiement",
    "COMPTABILISEE": "Comptabilisée",
}


# What the instructors are told to do when the buyer sends the invoice back (A_RECYCLER) or holds it
# (SUSPENDUE). connectors.md documents no API call to recycle an invoice: it is done on Chorus Pro's
# portal, then recorded here (docs/decisions/0054).
WHAT_TO_DO = {
    "A_RECYCLER": (
        "L’entreprise renvoie la facture : le service destinataire ou le numéro d’engagement est erroné. "
        "Demandez à l’entreprise le bon code service et le bon numéro d’engagement, puis, sur le portail "
        "Chorus Pro (Factures émises), ouvrez la facture, choisissez « Recycler », saisissez-les et "
        "validez ; enregistrez ensuite ici le destinataire saisi. Vous pouvez aussi annuler la facture "
        "par un avoir et en émettre une nouvelle."
    ),
    "SUSPENDUE": (
        "L’entreprise suspend la facture et demande un complément d’information (voir son commentaire). "
        "Sur le portail Chorus Pro (Factures émises), ouvrez la facture, ajoutez la pièce ou la réponse "
        "demandée et complétez-la ; elle reprend alors son traitement. Si la facture elle-même est "
        "erronée, annulez-la par un avoir et émettez-en une nouvelle."
    ),
}


class Invoice(TimeStampedModel):
    """One invoice or credit note, as issued: the parties and amounts are copied on it, so that it
    says the same whatever changes later (the organisation's address, the company's name)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="invoices"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(_("type"), max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    number = models.CharField(_("numéro"), max_length=24)
    issue_date = models.DateField(_("date d’émission"))
    due_date = models.DateField(_("date d’échéance"))
    # One live credit note per invoice (the constraint below); a rejected one may be replaced.
    credited_invoice = models.ForeignKey(
        "self",
        verbose_name=_("facture annulée"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("avoir remplacé"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    # What the invoice is issued for, when it is issued by itself: « fee:<dossier>:<moment> » for a
    # procedure's fee charged to a company (fee_invoices.py). One live invoice per origin (below).
    origin = models.CharField(_("origine"), max_length=80, blank=True)
    seller = models.JSONField(_("émetteur"), default=dict)  # name, siret, address lines, vat_number
    buyer_name = models.CharField(_("entreprise"), max_length=200)
    buyer_siret = models.CharField(_("SIRET de l’entreprise"), max_length=14, validators=[validate_siret])
    buyer_street = models.CharField(_("adresse"), max_length=250, blank=True)
    buyer_postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    buyer_city = models.CharField(_("commune"), max_length=100, blank=True)
    buyer_reference = models.CharField(_("code service du destinataire"), max_length=100, blank=True)
    buyer_order = models.CharField(_("numéro d’engagement"), max_length=50, blank=True)
    total_net = models.DecimalField(_("total hors taxes"), **AMOUNT)
    total_vat = models.DecimalField(_("total de la TVA"), **AMOUNT)
    total_gross = models.DecimalField(_("total TTC"), **AMOUNT)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("émise par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why it was issued when no person issued it by hand: « Automatique, à l’acceptation du
    # dossier par … » (fee_invoices.py); empty for an invoice issued by hand (`issued_by`).
    issued_for = models.CharField(_("émise à la suite de"), max_length=200, blank=True)
    pdf = models.FileField(_("PDF Factur-X scellé"), storage=_private_storage, max_length=200)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    facturx_xml = models.TextField(_("XML Factur-X (EN 16931)"))

    status = models.CharField(_("état"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    status_at = models.DateTimeField(_("état depuis le"), null=True, blank=True)
    # Chorus Pro: the deposit's number, the invoice's id there, its last status code, and why it
    # was rejected (the platform's own words).
    flow_number = models.CharField(_("numéro de dépôt Chorus Pro"), max_length=50, blank=True)
    platform_invoice_id = models.CharField(_("identifiant Chorus Pro"), max_length=50, blank=True)
    platform_status = models.CharField(_("statut Chorus Pro"), max_length=40, blank=True)
    rejection_reasons = models.JSONField(_("motifs du rejet"), default=list, blank=True)
    # The buyer's comment with a status that waits for the organisation (A_RECYCLER, SUSPENDUE).
    platform_comment = models.TextField(_("commentaire de l’entreprise"), blank=True)
    # The deposit's lease and its trace: set before the call, so that a deposit whose answer was
    # lost is never made a second time by itself (docs/decisions/0041).
    deposit_started_at = models.DateTimeField(_("dépôt commencé le"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    # The Chorus Pro status (ALERT_CODES) the instructors were alerted of, while the invoice stays
    # in it: never twice for it (cleared once it leaves it).
    alerted_status = models.CharField(_("statut Chorus Pro signalé"), max_length=40, blank=True)
    # The recipient set on Chorus Pro when a person recycled the invoice there (the sealed PDF keeps
    # the one it was issued with).
    rerouted_reference = models.CharField(_("code service après recyclage"), max_length=100, blank=True)
    rerouted_order = models.CharField(_("numéro d’engagement après recyclage"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["organisation", "issue_date", "pk"]  # the order of their numbers
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(kind=InvoiceKind.INVOICE, credited_invoice__isnull=True)
                | Q(kind=InvoiceKind.CREDIT_NOTE, credited_invoice__isnull=False),
                name="invoice_credit_note_cancels_one",
            ),
            models.CheckConstraint(
                condition=Q(total_gross=models.F("total_net") + models.F("total_vat")), name="invoice_totals_add_up"
            ),
            # Never two live credit notes for one invoice: a replaced one no longer counts.
            models.UniqueConstraint(
                fields=["credited_invoice"],
                condition=Q(credited_invoice__isnull=False) & ~Q(status=InvoiceStatus.REPLACED),
                name="invoice_one_live_credit_note",
            ),
            # Never two invoices for one dossier's fee and moment; one cancelled by a credit note
            # no longer counts (the correction is a credit note and a new invoice).
            models.UniqueConstraint(
                fields=["origin"],
                condition=Q(kind=InvoiceKind.INVOICE) & ~Q(origin="") & ~Q(status=InvoiceStatus.CANCELLED),
                name="invoice_origin_unique",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "issue_date"], name="invoice_dossier")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.number}"

    @property
    def platform_status_label(self) -> str:
        return PLATFORM_STATUS_LABELS.get(self.platform_status, self.platform_status)

    @property
    def total_gross_text(self) -> str:
        from .amounts import euros_text  # noqa: PLC0415 (amounts.py stays free of the models)

        return euros_text(self.total_gross)

    @property
    def can_be_credited(self) -> bool:
        """Whether a credit note may cancel it now (invoice_credit says why not otherwise)."""
        in_flight = self.status == InvoiceStatus.ISSUED and self.deposit_started_at is not None
        settled = self.status in (InvoiceStatus.CANCELLED, InvoiceStatus.PAID)
        return self.kind == InvoiceKind.INVOICE and not settled and not in_flight

    @property
    def credit_note(self) -> "Invoice | None":
        """The live credit note that cancels this invoice (a replaced one no longer counts)."""
        notes = [note for note in self.credit_notes.all() if note.status != InvoiceStatus.REPLACED]
        return notes[0] if notes else None

    @property
    def can_be_redeposited(self) -> bool:
        """A credit note whose deposit Chorus Pro rejected, so that it never made a document of it:
        the same sealed file may go again once the cause is fixed outside it (decision 0054)."""
        return (
            self.kind == InvoiceKind.CREDIT_NOTE
            and self.status == InvoiceStatus.REJECTED
            and not self.platform_invoice_id
        )

    @property
    def can_be_replaced(self) -> bool:
        """A credit note rejected (its deposit, or by the company): a new one may replace it."""
        return self.kind == InvoiceKind.CREDIT_NOTE and self.status == InvoiceStatus.REJECTED

    @property
    def alert(self) -> str:
        """What to do, in French, while the buyer waits for the organisation (ALERT_CODES)."""
        return WHAT_TO_DO.get(self.platform_status, "") if self.status == InvoiceStatus.AVAILABLE else ""

    @property
    def waits_for_a_person(self) -> bool:
        """A deposit whose outcome is unknown: someone must check Chorus Pro before it is made again."""
        return self.status == InvoiceStatus.ISSUED and self.next_attempt_at is None


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, verbose_name=_("facture"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("rang"))
    label = models.CharField(_("libellé"), max_length=200)
    quantity = models.DecimalField(_("quantité"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("prix unitaire hors taxes"), **AMOUNT)
    vat_rate = models.DecimalField(_("taux de TVA (%)"), max_digits=5, decimal_places=2)
    net_amount = models.DecimalField(_("montant hors taxes"), **AMOUNT)

    class Meta:
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_unique")]

    def __str__(self) -> str:
        return self.label
