"""Webhook subscriptions through the API (scope `webhooks:manage`): list, create (the secret given
once), read, change, delete, rotate the secret, disable and enable, the delivery log and a manual
replay. A service account manages those of its organisation (and of the organisations below it);
one limited to some procedures manages only subscriptions to those procedures. A person's key
manages those of the organisations the person administers. Same services as the screens."""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from guichet.accounts.models import Organisation
from guichet.observatory.selectors import organisation_subtree_ids
from guichet.procedures.models import Procedure
from guichet.procedures.selectors import organisation_ids_administered_by, procedures_administered_by
from guichet.webhooks.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from guichet.webhooks.selectors import deliveries_of
from guichet.webhooks.services import (
    delivery_replay,
    subscription_create,
    subscription_deactivate,
    subscription_delete,
    subscription_enable,
    subscription_secret_rotate,
    subscription_update,
)

from .errors import ErrorOut, examples, responses
from .principals import Principal, principal_of
from .scopes import Scope

router = Router(tags=["webhooks"])
NOT_FOUND = "Cet abonnement n’existe pas ou vous n’y avez pas accès."


class SubscriptionOut(Schema):
    id: int
    organisation: int = Field(description="L’organisation abonnée (id).")
    procedure: int | None = Field(description="La démarche suivie (id) ; null : toutes celles de l’organisation.")
    url: str
    description: str
    events: list[str] = Field(description=f"Événements : {', '.join(WebhookEvent.values)}.")
    active: bool
    disabled_at: datetime | None
    disabled_reason: str = Field(description="`gone` (410), `failing` (échecs continus), `manual` ; vide si active.")
    previous_secret_until: datetime | None = Field(
        description="Fin de validité de l’ancien secret après un renouvellement."
    )
    created_at: datetime

    @staticmethod
    def resolve_organisation(obj: WebhookSubscription) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_procedure(obj: WebhookSubscription) -> int | None:
        return obj.procedure_id


class SubscriptionWithSecretOut(SubscriptionOut):
    secret: str = Field(description="Le secret de signature `whsec_…` : donné cette fois seulement.")


class SubscriptionIn(Schema):
    model_config = examples(
        {
            "url": "https://ged.mairie.example/guichet/webhooks",
            "description": "GED de la mairie",
            "events": ["dossier.submitted", "dossier.state_changed"],
        }
    )

    organisation: int | None = Field(None, description="Par défaut : celle du compte de service.")
    procedure: int | None = Field(None, description="Une démarche de l’organisation ; absente : toutes.")
    url: str = Field(max_length=500, description="Une adresse https:// publique.")
    description: str = Field("", max_length=200)
    events: list[WebhookEvent] = Field(min_length=1)


class SubscriptionChangeIn(Schema):
    model_config = examples(
        {"url": "https://ged.mairie.example/guichet/webhooks", "events": ["dossier.submitted", "act.issued"]}
    )

    procedure: int | None = None
    url: str = Field(max_length=500)
    description: str = Field("", max_length=200)
    events: list[WebhookEvent] = Field(min_length=1)


class DeliveryOut(Schema):
    id: int
    msg_id: str = Field(description="L’en-tête `webhook-id` : le même à chaque essai et à chaque renvoi.")
    event: str
    status: str = Field(description="`pending`, `delivered`, `failed` (nouvel essai prévu) ou `abandoned`.")
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_duration_ms: int | None
    last_response_excerpt: str = Field(description="Les 500 premiers caractères de la dernière réponse.")
    last_error: str
    delivered_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_msg_id(obj: WebhookDelivery) -> str:
        return obj.message.msg_id

    @staticmethod
    def resolve_event(obj: WebhookDelivery) -> str:
        return obj.message.event


class _Reach:
    """What the caller may manage: organisations, and procedures (all of theirs, or only some)."""

    def __init__(self, principal: Principal):
        self.principal = principal
        account = principal.service_account
        if account is not None:
            if not principal.allows(Scope.WEBHOOKS_MANAGE):
                raise HttpError(403, f"Cette clé n’a pas le droit « {Scope.WEBHOOKS_MANAGE.value} ».")
            self.default_organisation_id = account.organisation_id
            self.organisation_ids = organisation_subtree_ids({account.organisation_id})
            self.procedures: QuerySet[Procedure] = principal.procedures()
            self.every_procedure = not account.procedures.exists()
        else:
            self.organisation_ids = organisation_ids_administered_by(principal.user)
            if not self.organisation_ids:
                raise HttpError(
                    403,
                    "Les abonnements se gèrent avec la clé d’un administrateur des démarches "
                    "ou d’un compte de service.",
                )
            self.default_organisation_id = None
            self.procedures = procedures_administered_by(principal.user)
            self.every_procedure = True

    def subscriptions(self) -> QuerySet[WebhookSubscription]:
        subscriptions = WebhookSubscription.objects.filter(organisation_id__in=self.organisation_ids)
        if not self.every_procedure:
            subscriptions = subscriptions.filter(Q(procedure__in=self.procedures))
        return subscriptions.order_by("pk")

    def subscription_or_404(self, subscription_id: int) -> WebhookSubscription:
        subscription = self.subscriptions().select_related("organisation").filter(pk=subscription_id).first()
        if subscription is None:
            raise HttpError(404, NOT_FOUND)
        return subscription

    def procedure(self, procedure_id: int | None) -> Procedure | None:
        if procedure_id is None:
            if not self.every_procedure:
                raise _invalid("procedure", "Ce compte de service ne suit que certaines démarches : indiquez-en une.")
            return None
        procedure = self.procedures.filter(pk=procedure_id).first()
        if procedure is None:
            raise _invalid("procedure", "Cette démarche n’existe pas ou vous n’y avez pas accès.")
        return procedure

    def organisation(self, organisation_id: int | None) -> Organisation:
        organisation_id = organisation_id or self.default_organisation_id
        if organisation_id is None or organisation_id not in self.organisation_ids:
            raise _invalid("organisation", "Indiquez une organisation que vous administrez.")
        return Organisation.objects.get(pk=organisation_id)

    @property
    def actor(self):
        return dict(actor=self.principal.user, actor_label=self.principal.label)


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError([{"type": "value_error", "loc": ["body", "subscription", field], "msg": message}])


def _refused(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        items = [(field, message) for field, messages in error.message_dict.items() for message in messages]
    else:
        items = [("__all__", message) for message in error.messages]
    return ValidationError(
        [{"type": "value_error", "loc": ["body", "subscription", field], "msg": message} for field, message in items]
    )


def _created(schema) -> dict:
    return {201: schema, **{code: out for code, out in responses(schema).items() if code != 200}}


@router.get("/subscriptions", response=responses(list[SubscriptionOut]), summary="Abonnements")
def subscriptions_list(request: HttpRequest):
    return list(_Reach(principal_of(request)).subscriptions())


@router.post(
    "/subscriptions",
    response=_created(SubscriptionWithSecretOut),
    summary="S’abonner",
    description="Le secret de signature est dans la réponse, et nulle part ailleurs ensuite. Une adresse qui "
    "mène à un réseau interne est refusée (422).",
)
def subscriptions_create(request: HttpRequest, subscription: SubscriptionIn):
    reach = _Reach(principal_of(request))
    organisation = reach.organisation(subscription.organisation)
    procedure = reach.procedure(subscription.procedure)
    try:
        made = subscription_create(
            organisation=organisation,
            procedure=procedure,
            url=subscription.url,
            description=subscription.description,
            events=[str(event) for event in subscription.events],
            **reach.actor,
        )
    except DjangoValidationError as error:
        raise _refused(error) from None
    made.subscription.secret = made.secret
    return Status(201, made.subscription)


@router.get(
    "/subscriptions/{subscription_id}", response=responses(SubscriptionOut, not_found=True), summary="Un abonnement"
)
def subscriptions_get(request: HttpRequest, subscription_id: int):
    return _Reach(principal_of(request)).subscription_or_404(subscription_id)


@router.put(
    "/subscriptions/{subscription_id}",
    response=responses(SubscriptionOut, not_found=True),
    summary="Modifier un abonnement",
)
def subscriptions_put(request: HttpRequest, subscription_id: int, subscription: SubscriptionChangeIn):
    reach = _Reach(principal_of(request))
    current = reach.subscription_or_404(subscription_id)
    try:
        return subscription_update(
            subscription=current,
            procedure=reach.procedure(subscription.procedure),
            url=subscription.url,
            description=subscription.description,
            events=[str(event) for event in subscription.events],
            **reach.actor,
        )
    except DjangoValidationError as error:
        raise _refused(error) from None


@router.delete(
    "/subscriptions/{subscription_id}",
    response={204: None, **{code: ErrorOut for code in responses(None, not_found=True) if code != 200}},
    summary="Supprimer un abonnement",
)
def subscriptions_delete(request: HttpRequest, subscription_id: int):
    reach = _Reach(principal_of(request))
    subscription_delete(subscription=reach.subscription_or_404(subscription_id), **reach.actor)
    return HttpResponse(status=204)


@router.post(
    "/subscriptions/{subscription_id}/secret",
    response=responses(SubscriptionWithSecretOut, not_found=True),
    summary="Renouveler le secret",
    description="Le nouveau secret signe dès maintenant ; l’ancien signe aussi, à côté, jusqu’à "
    "`previous_secret_until`.",
)
def subscriptions_rotate(request: HttpRequest, subscription_id: int):
    reach = _Reach(principal_of(request))
    made = subscription_secret_rotate(subscription=reach.subscription_or_404(subscription_id), **reach.actor)
    made.subscription.secret = made.secret
    return made.subscription


@router.post(
    "/subscriptions/{subscription_id}/disable",
    response=responses(SubscriptionOut, not_found=True),
    summary="Désactiver",
)
def subscriptions_disable(request: HttpRequest, subscription_id: int):
    reach = _Reach(principal_of(request))
    return subscription_deactivate(subscription=reach.subscription_or_404(subscription_id), **reach.actor)


@router.post(
    "/subscriptions/{subscription_id}/enable",
    response=responses(SubscriptionOut, not_found=True),
    summary="Réactiver",
    description="Les notifications en attente repartent.",
)
def subscriptions_enable(request: HttpRequest, subscription_id: int):
    reach = _Reach(principal_of(request))
    try:
        return subscription_enable(subscription=reach.subscription_or_404(subscription_id), **reach.actor)
    except DjangoValidationError as error:
        raise _refused(error) from None


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response=responses(list[DeliveryOut], not_found=True),
    summary="Journal des envois",
    description="Les plus récents d’abord, 100 au plus ; `before` (l’id du dernier reçu) donne les suivants.",
)
def deliveries_list(request: HttpRequest, subscription_id: int, before: int | None = None, limit: int = 100):
    subscription = _Reach(principal_of(request)).subscription_or_404(subscription_id)
    deliveries = deliveries_of(subscription).order_by("-pk")
    if before is not None:
        deliveries = deliveries.filter(pk__lt=before)
    return list(deliveries[: max(1, min(limit, 100))])


@router.post(
    "/subscriptions/{subscription_id}/deliveries/{delivery_id}/replay",
    response=responses(DeliveryOut, not_found=True),
    summary="Renvoyer une notification",
    description="Un nouvel envoi du même message, avec le même `webhook-id`.",
)
def deliveries_replay(request: HttpRequest, subscription_id: int, delivery_id: int):
    reach = _Reach(principal_of(request))
    subscription = reach.subscription_or_404(subscription_id)
    delivery = deliveries_of(subscription).filter(pk=delivery_id).first()
    if delivery is None:
        raise HttpError(404, "Cet envoi n’existe pas.")
    try:
        return delivery_replay(delivery=delivery, **reach.actor)
    except DjangoValidationError as error:
        raise _refused(error) from None
