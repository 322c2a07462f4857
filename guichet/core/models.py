from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row that may only ever be added."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} ne peut pas être modifié.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} ne peut pas être supprimé.")


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} ne peut pas être supprimé.")


class AuditAction(models.TextChoices):
    """Every action that the audit trail records (a write names one, never free text)."""

    ACCOUNT_DATA_EXPORT = "account.data_export", _("Données personnelles téléchargées")
    ACCOUNT_DELETE = "account.delete", _("Compte supprimé")
    ACT_GENERATION_FAIL = "act.generation_fail", _("Génération d’un acte en échec")
    ACT_ISSUE = "act.issue", _("Acte émis")
    ACT_RETRY = "act.retry", _("Génération d’un acte relancée")
    ACT_TEMPLATE_RESET = "act_template.reset", _("Modèle d’acte remis par défaut")
    ACT_TEMPLATE_SAVE = "act_template.save", _("Modèle d’acte enregistré")
    API_CALL = "api.call", _("Appel de l’API par un compte de service")
    API_TOKEN_CREATE = "api.token_create", _("Jeton d’API créé")
    API_TOKEN_REVOKE = "api.token_revoke", _("Jeton d’API révoqué")
    ARCHIVES_REVIEW = "archives.review", _("Échéances de conservation examinées")
    DATA_ACCESS_SET = "data_access.set", _("Accès à une source de données enregistré")
    ARCHIVE_PACKAGE_BUILD = "archive.package_build", _("Paquet d’archives constitué")
    ARCHIVE_TRANSFER_CREATE = "archive.transfer_create", _("Versement préparé")
    ARCHIVE_TRANSFER_REPLY = "archive.transfer_reply", _("Accusé de versement reçu")
    ARCHIVE_TRANSFER_RETRY = "archive.transfer_retry", _("Versement relancé")
    ARCHIVE_TRANSFER_SEND = "archive.transfer_send", _("Paquet versé")
    BULK_CREATE = "bulk.create", _("Action groupée demandée")
    CHANNEL_VOLUME_RECORD = "channel_volume.record", _("Volume par canal enregistré")
    DEMO_HISTORY_IMPORT = "demo.history_import", _("Historique de démonstration importé")
    DOSSIERS_ATTACHMENTS_ZIP = "dossiers.attachments_zip", _("Pièces jointes téléchargées")
    DOSSIERS_EXPORT = "dossiers.export", _("Dossiers exportés")
    DOSSIER_ACCEPT = "dossier.accept", _("Dossier accepté")
    DOSSIER_ANNOTATIONS_SAVE = "dossier.annotations_save", _("Annotations privées enregistrées")
    DOSSIER_ANSWERS_SAVE = "dossier.answers_save", _("Réponses enregistrées")
    # Put aside from the instructors' daily lists (not archived: the value is the one first stored).
    DOSSIER_ARCHIVE = "dossier.archive", _("Dossier mis de côté")
    DOSSIER_ASSIGN = "dossier.assign", _("Dossier attribué")
    DOSSIER_CLOSE = "dossier.close", _("Dossier classé sans suite")
    DOSSIER_CORRECTIONS_SUBMIT = "dossier.corrections_submit", _("Corrections déposées")
    DOSSIER_CREATE = "dossier.create", _("Brouillon créé")
    DOSSIER_DRAFT_DELETE = "dossier.draft_delete", _("Brouillon supprimé")
    DOSSIER_DRAFT_EXPIRE = "dossier.draft_expire", _("Brouillon expiré supprimé")
    DOSSIER_DRAFT_EXPIRY_WARN = "dossier.draft_expiry_warn", _("Usager prévenu de la suppression d’un brouillon")
    DOSSIER_ELIMINATE = "dossier.eliminate", _("Données du dossier éliminées")
    DOSSIER_FILES_PURGE = "dossier.files_purge", _("Fichiers inutilisés supprimés")
    DOSSIER_FILE_STORE = "dossier.file_store", _("Fichier joint")
    DOSSIER_FOLLOW = "dossier.follow", _("Dossier suivi")
    DOSSIER_LABELS_SET = "dossier.labels_set", _("Étiquettes posées")
    DOSSIER_LITIGATION_HOLD = "dossier.litigation_hold", _("Dossier gelé pour contentieux")
    DOSSIER_LITIGATION_RELEASE = "dossier.litigation_release", _("Gel pour contentieux levé")
    DOSSIER_MESSAGE_SEND = "dossier.message_send", _("Message envoyé")
    DOSSIER_SOURCE_FETCH = "dossier.source_fetch", _("Données demandées à une source (API Entreprise, API Particulier)")
    DOSSIER_PREFILL_CLAIM = "dossier.prefill_claim", _("Dossier prérempli repris par l’usager")
    DOSSIER_PREFILL_CREATE = "dossier.prefill_create", _("Dossier prérempli créé")
    DOSSIER_REFUSE = "dossier.refuse", _("Dossier refusé")
    DOSSIER_REOPEN = "dossier.reopen", _("Instruction rouverte")
    DOSSIER_REQUEST_CORRECTION = "dossier.request_correction", _("Correction demandée")
    DOSSIER_START_INSTRUCTION = "dossier.start_instruction", _("Passage en instruction")
    DOSSIER_SUBMIT = "dossier.submit", _("Dossier déposé")
    DOSSIER_SUBMIT_CORRECTIONS = "dossier.submit_corrections", _("Corrections envoyées")
    DOSSIER_UNARCHIVE = "dossier.unarchive", _("Dossier remis dans les listes")
    DOSSIER_UNFOLLOW = "dossier.unfollow", _("Dossier plus suivi")
    DOSSIER_VERSION_KEPT = "dossier.version_kept", _("Brouillon gardé sur sa version")
    DOSSIER_VERSION_MIGRATE = "dossier.version_migrate", _("Brouillon passé à la nouvelle version")
    DOSSIER_WITHDRAW = "dossier.withdraw", _("Dossier retiré")
    ELIMINATION_LIST_APPROVE = "elimination_list.approve", _("Bordereau d’élimination visé")
    ELIMINATION_LIST_CREATE = "elimination_list.create", _("Bordereau d’élimination proposé")
    ELIMINATION_LIST_REFUSE = "elimination_list.refuse", _("Visa d’élimination refusé")
    EXPERT_ANSWER = "expert.answer", _("Avis donné")
    EXPERT_INVITE = "expert.invite", _("Avis demandé")
    EXPERT_REVOKE = "expert.revoke", _("Demande d’avis retirée")
    FOLLOWUP_GIVE_UP = "followup.give_up", _("Suite d’un changement d’état abandonnée")
    FOLLOWUP_RETRY = "followup.retry", _("Suite d’un changement d’état relancée")
    FRANCECONNECT_LINK = "franceconnect.link", _("Compte relié à FranceConnect")
    FRANCECONNECT_SIGN_IN = "franceconnect.sign_in", _("Connexion avec FranceConnect")
    FRANCECONNECT_SIGN_UP = "franceconnect.sign_up", _("Inscription avec FranceConnect")
    HUBEE_CASE_RECEIVE = "hubee.case_receive", _("Télédossier HubEE reçu en dossier")
    HUBEE_CASE_REJECT = "hubee.case_reject", _("Télédossier HubEE impossible à intégrer")
    HUBEE_DOSSIER_SEND = "hubee.dossier_send", _("Dossier transmis par HubEE")
    HUBEE_MAPPING_UPDATE = "hubee.mapping_update", _("Correspondances HubEE modifiées")
    HUBEE_SUBSCRIPTION_CREATE = "hubee.subscription_create", _("Abonnement HubEE créé")
    HUBEE_SUBSCRIPTION_UPDATE = "hubee.subscription_update", _("Abonnement HubEE modifié")
    HUBEE_TRANSMISSION_UPDATE = "hubee.transmission_update", _("Transmission HubEE d’une démarche modifiée")
    INDICATOR_CREATE = "indicator.create", _("Indicateur créé")
    INDICATOR_GOAL_SET = "indicator.goal_set", _("Objectif d’indicateur fixé")
    INDICATOR_UPDATE = "indicator.update", _("Indicateur modifié")
    INDICATOR_VALUE_RECORD = "indicator.value_record", _("Valeur d’indicateur enregistrée")
    INSTRUCTOR_GROUP_ADD_MEMBER = "instructor_group.add_member", _("Instructeur ajouté à un groupe")
    INSTRUCTOR_GROUP_CREATE = "instructor_group.create", _("Groupe instructeur créé")
    INSTRUCTOR_GROUP_DELETE = "instructor_group.delete", _("Groupe instructeur supprimé")
    INSTRUCTOR_GROUP_REMOVE_MEMBER = "instructor_group.remove_member", _("Instructeur retiré d’un groupe")
    INSTRUCTOR_GROUP_UPDATE = "instructor_group.update", _("Groupe instructeur modifié")
    INVOICE_ALERT = "invoice.alert", _("Instructeurs alertés d’un statut Chorus Pro à traiter")
    INVOICE_CREDIT = "invoice.credit", _("Avoir émis")
    INVOICE_CREDIT_REPLACE = "invoice.credit_replace", _("Avoir rejeté remplacé par un nouvel avoir")
    INVOICE_DEPOSIT = "invoice.deposit", _("Facture déposée sur Chorus Pro")
    INVOICE_DEPOSIT_RETRY = "invoice.deposit_retry", _("Dépôt de facture relancé")
    INVOICE_ISSUE = "invoice.issue", _("Facture émise")
    INVOICE_REDEPOSIT = "invoice.redeposit", _("Avoir rejeté déposé à nouveau sur Chorus Pro")
    INVOICE_REROUTE = "invoice.reroute", _("Facture recyclée sur Chorus Pro (destinataire corrigé)")
    INVOICES_EXPORT = "invoices.export", _("Factures exportées")
    INVOICE_STATUS = "invoice.status", _("Statut de facture reçu de Chorus Pro")
    OBSERVATORY_AGGREGATE = "observatory.aggregate", _("Observatoire recalculé")
    OBSERVATORY_AGGREGATION_REQUEST = "observatory.aggregation_request", _("Calcul de l’observatoire demandé")
    OPINION_GIVE = "opinion.give", _("Avis de l’usager donné")
    ORGANISATION_CREATE = "organisation.create", _("Organisation créée")
    ORGANISATION_ROLE_GRANT = "organisation_role.grant", _("Rôle accordé")
    PANORAMA_EDITION_CREATE = "panorama_edition.create", _("Édition du panorama préparée")
    PANORAMA_EDITION_PUBLISH = "panorama_edition.publish", _("Édition du panorama publiée")
    PANORAMA_EDITION_UPDATE = "panorama_edition.update", _("Édition du panorama modifiée")
    PANORAMA_IMPORT = "panorama.import", _("Projets du panorama importés")
    PANORAMA_PROJECT_CREATE = "panorama_project.create", _("Projet ajouté au panorama")
    PANORAMA_PROJECT_UPDATE = "panorama_project.update", _("Projet du panorama modifié")
    PAYMENT_RECEIPTS_EXPORT = "payment.receipts_export", _("Recettes exportées (paiements reçus)")
    PAYMENT_REFUND_DUE = "payment.refund_due", _("Paiement à rembourser (dossier refusé)")
    PAYMENT_SETTLE = "payment.settle", _("Résultat d’un paiement en ligne enregistré")
    PAYMENT_START = "payment.start", _("Paiement en ligne commencé")
    PROCEDURE_CLONE = "procedure.clone", _("Démarche dupliquée")
    PROCEDURE_CLOSE = "procedure.close", _("Démarche close")
    PROCEDURE_CREATE = "procedure.create", _("Démarche créée")
    PROCEDURE_DEFINITION_UPDATE = "procedure.definition_update", _("Formulaire modifié")
    PROCEDURE_IMPORT = "procedure.import", _("Démarche importée")
    PROCEDURE_PUBLISH = "procedure.publish", _("Démarche publiée")
    PROCEDURE_REOPEN = "procedure.reopen", _("Démarche rouverte")
    PROCEDURE_RETENTION_UPDATE = "procedure.retention_update", _("Règles de conservation modifiées")
    PROCEDURE_ROUTING_SET = "procedure.routing_set", _("Routage modifié")
    PROCEDURE_SETTINGS_UPDATE = "procedure.settings_update", _("Paramètres de la démarche modifiés")
    PROCONNECT_LINK = "proconnect.link", _("Compte d’agent relié à ProConnect")
    PROCONNECT_SIGN_IN = "proconnect.sign_in", _("Connexion avec ProConnect")
    PROGRAMME_ENTRY_CREATE = "programme_entry.create", _("Démarche ajoutée au programme")
    PROGRAMME_ENTRY_LINK = "programme_entry.link", _("Programme relié à la démarche")
    PROGRAMME_ENTRY_UPDATE = "programme_entry.update", _("Programme modifié")
    SECOND_FACTOR_DISABLE = "second_factor.disable", _("Double authentification désactivée")
    SECOND_FACTOR_RECOVERY_CODES_NEW = "second_factor.recovery_codes_new", _("Nouveaux codes de secours")
    SECOND_FACTOR_RECOVERY_CODE_USE = "second_factor.recovery_code_use", _("Code de secours utilisé")
    SECOND_FACTOR_RESET = "second_factor.reset", _("Double authentification réinitialisée")
    SECOND_FACTOR_TOTP_ENABLE = "second_factor.totp_enable", _("Application d’authentification activée")
    SECOND_FACTOR_WEBAUTHN_ADD = "second_factor.webauthn_add", _("Clé de sécurité ajoutée")
    SERVICE_ACCOUNT_CREATE = "service_account.create", _("Compte de service créé")
    SERVICE_ACCOUNT_REVOKE = "service_account.revoke", _("Compte de service révoqué")
    SERVICE_ACCOUNT_UPDATE = "service_account.update", _("Compte de service modifié")
    SERVICE_TOKEN_CREATE = "service_token.create", _("Jeton de compte de service créé")
    SERVICE_TOKEN_REVOKE = "service_token.revoke", _("Jeton de compte de service révoqué")
    SERVICE_TOKEN_ROTATE = "service_token.rotate", _("Jeton de compte de service renouvelé")
    USER_CREATE = "user.create", _("Compte créé")
    USER_EMAIL_CONFIRM = "user.email_confirm", _("Adresse confirmée")
    USER_PROFILE_UPDATE = "user.profile_update", _("Profil modifié")
    USER_SIGNUP = "user.signup", _("Inscription")
    USER_SIGNUP_AGAIN = "user.signup_again", _("Nouvelle demande d’inscription")
    WEBHOOK_DELIVERY_REPLAY = "webhook.delivery_replay", _("Notification webhook renvoyée")
    WEBHOOK_SUBSCRIPTION_CREATE = "webhook.subscription_create", _("Abonnement webhook créé")
    WEBHOOK_SUBSCRIPTION_DELETE = "webhook.subscription_delete", _("Abonnement webhook supprimé")
    WEBHOOK_SUBSCRIPTION_DISABLE = "webhook.subscription_disable", _("Abonnement webhook désactivé")
    WEBHOOK_SUBSCRIPTION_ENABLE = "webhook.subscription_enable", _("Abonnement webhook réactivé")
    WEBHOOK_SUBSCRIPTION_SECRET_ROTATE = (
        "webhook.subscription_secret_rotate",
        _("Secret d’un abonnement webhook renouvelé"),
    )
    WEBHOOK_SUBSCRIPTION_UPDATE = "webhook.subscription_update", _("Abonnement webhook modifié")


class AuditEvent(AppendOnlyModel):
    """One thing that somebody (or the platform itself) did. Events form a hash chain: each stores
    the SHA-256 of the previous one, so that changing or removing any stored event is detected by
    `manage.py audit_verify`.

    A request only appends the event; the sealer (`audit_seal`, run every second by
    `manage.py audit_seal --every 1`) gives it its rank and its hashes in commit order, so that
    writes never wait for one another on the chain (decision 0001). Until then `seq` and `hash` are
    empty."""

    seq = models.PositiveBigIntegerField(_("rang"), null=True, blank=True, unique=True)
    occurred_at = models.DateTimeField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        # An audit trail must keep naming who acted: people are anonymised, never deleted.
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=254)
    action = models.CharField(_("action"), max_length=100, choices=AuditAction.choices)
    object_type = models.CharField(_("type d’objet"), max_length=100, blank=True)
    object_id = models.CharField(_("identifiant de l’objet"), max_length=64, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)
    prev_hash = models.CharField(_("empreinte précédente"), max_length=64, blank=True)
    hash = models.CharField(_("empreinte"), max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("événement d’audit")
        verbose_name_plural = _("événements d’audit")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # What the sealer reads: the few events not sealed yet, in the order they were added.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"),
        ]

    def __str__(self) -> str:
        rank = f"#{self.seq}" if self.seq is not None else "(à sceller)"
        return f"{rank} {self.action} ({self.actor_label})"


class AuditChainHead(models.Model):
    """The single row that records the end of the audit chain. The sealer locks it, which orders
    events, and it reveals events removed from the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")]

    def __str__(self) -> str:
        return f"fin de la chaîne d’audit : n°{self.seq}"


class AuditTimestamp(AppendOnlyModel):
    """An RFC 3161 timestamp of the audit chain's head: a timestamping authority signed, at its own
    time, that the chain up to `seq` ended with `head_hash`. The token's message imprint is the head
    hash itself (the SHA-256 of the head event's canonical JSON), so that `audit_verify` (or
    `openssl ts -verify -digest`) checks it against the chain as it is now (decision 0001)."""

    seq = models.PositiveBigIntegerField(_("rang de la fin de chaîne"), unique=True)
    head_hash = models.CharField(_("empreinte de la fin de chaîne"), max_length=64)
    token = models.BinaryField(_("jeton d’horodatage (DER)"))
    authority_time = models.DateTimeField(_("date donnée par l’autorité"))
    tsa_url = models.CharField(_("adresse de l’autorité d’horodatage"), max_length=500)
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("horodatage du journal d’audit")
        verbose_name_plural = _("horodatages du journal d’audit")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"horodatage de l’événement n°{self.seq} ({self.authority_time:%Y-%m-%d %H:%M:%S})"


class Sequence(models.Model):
    """A named gapless counter, e.g. the dossier numbers of one year."""

    name = models.CharField(max_length=64, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} = {self.last_value}"
