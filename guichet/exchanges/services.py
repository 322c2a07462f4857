"""Writes on HubEE's settings, by an organisation's administrator (screens): subscriptions to HubEE
démarches (their client secret stored encrypted, never shown again), their field mappings, and a
procedure's transmission. Each records one audit event naming the administrator."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from guichet.accounts.models import Organisation, User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import organisation_ids_administered_by

from .mapping import mappings_check
from .models import HubeeFieldMapping, HubeeSubscription, HubeeTransmission

PROCESS_CODE = re.compile(r"[A-Za-z0-9_\-]{1,30}")
SIRET = re.compile(r"[0-9]{14}")
BRANCH_CODE = re.compile(r"[A-Za-z0-9]{1,10}")


def _check(*, actor: User, organisation: Organisation, procedure: Procedure) -> None:
    allowed = organisation_ids_administered_by(actor)
    if organisation.pk not in allowed:
        raise PermissionDenied("Vous n’administrez pas cette organisation.")
    if procedure.organisation_id not in allowed:
        raise ValidationError({"procedure": "Vous n’administrez pas cette démarche."})


def _process_code_check(process_code: str) -> None:
    if not PROCESS_CODE.fullmatch(process_code):
        raise ValidationError(
            {"process_code": "Le code de la démarche HubEE est fait de lettres, chiffres, - et _ (30 au plus)."}
        )


def _deposit_account(organisation: Organisation, process_code: str) -> User:
    """The account that the démarche's dossiers are filed under: nobody signs in with it."""
    email = f"hubee-{organisation.pk}-{process_code.lower()}@hubee.invalid"
    account = User.objects.filter(email=email).first()
    if account is None:
        account = User(email=email, first_name="Usagers HubEE", last_name=process_code, is_active=False)
        account.set_unusable_password()
        account.save()
    return account


@transaction.atomic
def hubee_subscription_create(
    *,
    actor: User,
    organisation: Organisation,
    procedure: Procedure,
    process_code: str,
    client_id: str,
    client_secret: str,
    data_attachment_type: str = "",
) -> HubeeSubscription:
    """Subscribe the organisation to a HubEE démarche, whose cases become dossiers of `procedure`."""
    _check(actor=actor, organisation=organisation, procedure=procedure)
    _process_code_check(process_code)
    if not client_id.strip() or not client_secret.strip():
        raise ValidationError("L’identifiant et le secret client donnés par HubEE sont obligatoires.")
    if HubeeSubscription.objects.filter(organisation=organisation, process_code=process_code).exists():
        raise ValidationError({"process_code": "Votre organisation est déjà abonnée à cette démarche HubEE."})
    subscription = HubeeSubscription.objects.create(
        organisation=organisation,
        procedure=procedure,
        process_code=process_code,
        client_id=client_id.strip(),
        client_secret=client_secret.strip(),
        data_attachment_type=data_attachment_type.strip(),
        applicant_account=_deposit_account(organisation, process_code),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.HUBEE_SUBSCRIPTION_CREATE,
        target=subscription,
        details={"process": process_code, "procedure": procedure.slug, "client_id": subscription.client_id},
    )
    return subscription


@transaction.atomic
def hubee_subscription_update(
    *,
    actor: User,
    subscription: HubeeSubscription,
    procedure: Procedure,
    client_id: str,
    client_secret: str = "",
    data_attachment_type: str = "",
    active: bool = True,
) -> HubeeSubscription:
    """Change a subscription; an empty `client_secret` keeps the one stored."""
    _check(actor=actor, organisation=subscription.organisation, procedure=procedure)
    if not client_id.strip():
        raise ValidationError({"client_id": "L’identifiant client donné par HubEE est obligatoire."})
    if procedure.pk != subscription.procedure_id:
        subscription.mappings.all().delete()  # they named the other procedure's fields
    subscription.procedure = procedure
    subscription.client_id = client_id.strip()
    if client_secret.strip():
        subscription.client_secret = client_secret.strip()
    subscription.data_attachment_type = data_attachment_type.strip()
    subscription.active = active
    subscription.save()
    audit_record(
        actor=actor,
        action=AuditAction.HUBEE_SUBSCRIPTION_UPDATE,
        target=subscription,
        details={"procedure": procedure.slug, "active": active, "secret_changed": bool(client_secret.strip())},
    )
    return subscription


@transaction.atomic
def hubee_mappings_replace(
    *, actor: User, subscription: HubeeSubscription, pairs: list[tuple[str, str]]
) -> list[HubeeFieldMapping]:
    """The subscription's mapping becomes `pairs` (field id, HubEE source), checked against the
    procedure's published form (ValidationError listing every problem, nothing changed)."""
    _check(actor=actor, organisation=subscription.organisation, procedure=subscription.procedure)
    cleaned = mappings_check(subscription.procedure, pairs)
    subscription.mappings.all().delete()
    made = HubeeFieldMapping.objects.bulk_create(
        HubeeFieldMapping(subscription=subscription, field_id=field_id, source=source) for field_id, source in cleaned
    )
    audit_record(
        actor=actor,
        action=AuditAction.HUBEE_MAPPING_UPDATE,
        target=subscription,
        details={"mappings": {field_id: source for field_id, source in cleaned}},
    )
    return made


@transaction.atomic
def hubee_transmission_set(
    *,
    actor: User,
    procedure: Procedure,
    process_code: str,
    client_id: str,
    client_secret: str,
    recipient_siret: str,
    recipient_branch_code: str,
    active: bool = True,
) -> HubeeTransmission:
    """Have each dossier filed in `procedure` sent through HubEE to the administration of that SIRET
    and branch code; an empty `client_secret` keeps the one stored."""
    _check(actor=actor, organisation=procedure.organisation, procedure=procedure)
    _process_code_check(process_code)
    if not SIRET.fullmatch(recipient_siret):
        raise ValidationError({"recipient_siret": "Le SIRET du destinataire compte 14 chiffres."})
    if not BRANCH_CODE.fullmatch(recipient_branch_code):
        raise ValidationError(
            {"recipient_branch_code": "Le code de l’organisme destinataire compte 1 à 10 lettres ou chiffres."}
        )
    existing = HubeeTransmission.objects.filter(procedure=procedure).first()
    if not client_id.strip() or not (client_secret.strip() or existing is not None):
        raise ValidationError("L’identifiant et le secret client donnés par HubEE sont obligatoires.")
    transmission = existing or HubeeTransmission(procedure=procedure)
    transmission.process_code = process_code
    transmission.client_id = client_id.strip()
    if client_secret.strip():
        transmission.client_secret = client_secret.strip()
    transmission.recipient_siret = recipient_siret
    transmission.recipient_branch_code = recipient_branch_code
    transmission.active = active
    transmission.save()
    audit_record(
        actor=actor,
        action=AuditAction.HUBEE_TRANSMISSION_UPDATE,
        target=procedure,
        details={"process": process_code, "recipient": recipient_siret, "active": active},
    )
    return transmission
