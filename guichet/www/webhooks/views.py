"""The organisations' administrators' webhooks: their subscriptions (an address, the events, all
procedures or one), the secret shown once (at creation and rotation), the delivery log with manual
replay, and re-enabling a subscription that the platform disabled."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guichet.accounts.models import Organisation
from guichet.procedures.selectors import organisation_ids_administered_by
from guichet.webhooks.models import WebhookSubscription
from guichet.webhooks.selectors import (
    deliveries_of,
    delivery_for_administrator,
    procedures_for_subscription,
    subscription_for_administrator,
    subscriptions_administered_by,
)
from guichet.webhooks.services import (
    WithSecret,
    delivery_replay,
    subscription_create,
    subscription_deactivate,
    subscription_delete,
    subscription_enable,
    subscription_secret_rotate,
    subscription_update,
)
from guichet.www.admin_procedures.access import administrator_required
from guichet.www.service_errors import form_errors_add

from .forms import SubscriptionForm

LOG_LENGTH = 100


def _subscription(request, subscription_id: int) -> WebhookSubscription:
    subscription = subscription_for_administrator(request.user, subscription_id)
    if subscription is None:
        raise Http404("Cet abonnement n’existe pas ou vous ne l’administrez pas.")
    return subscription


def _form(request, *, initial=None, editing=False) -> SubscriptionForm:
    ids = organisation_ids_administered_by(request.user)
    return SubscriptionForm(
        request.POST or None,
        initial=initial,
        organisations=Organisation.objects.filter(pk__in=ids).order_by("name"),
        procedures=procedures_for_subscription(ids),
        editing=editing,
    )


def _secret_page(request, made: WithSecret, *, rotated: bool):
    return render(
        request, "webhooks/secret.html", {"subscription": made.subscription, "secret": made.secret, "rotated": rotated}
    )


@administrator_required
def subscription_list(request):
    subscriptions = subscriptions_administered_by(request.user).order_by("organisation__name", "pk")
    return render(request, "webhooks/list.html", {"subscriptions": subscriptions})


@administrator_required
def subscription_create_view(request):
    form = _form(request, initial={"events": ["dossier.submitted", "dossier.state_changed"]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = subscription_create(
                organisation=data["organisation"],
                procedure=data["procedure"],
                url=data["url"],
                description=data["description"],
                events=data["events"],
                actor=request.user,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return _secret_page(request, made, rotated=False)
    context = {"form": form, "heading": "Nouvel abonnement webhook", "submit": "Créer l’abonnement"}
    return render(request, "webhooks/form.html", context)


@administrator_required
def subscription_detail(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    deliveries = deliveries_of(subscription)[:LOG_LENGTH]
    return render(request, "webhooks/detail.html", {"subscription": subscription, "deliveries": deliveries})


@administrator_required
def subscription_edit(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    initial = {
        "procedure": subscription.procedure_id,
        "url": subscription.url,
        "description": subscription.description,
        "events": subscription.events,
    }
    form = _form(request, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription_update(
                subscription=subscription,
                procedure=data["procedure"],
                url=data["url"],
                description=data["description"],
                events=data["events"],
                actor=request.user,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "L’abonnement est modifié.")
            return redirect("webhooks_admin:detail", subscription.pk)
    context = {
        "form": form,
        "subscription": subscription,
        "heading": "Modifier l’abonnement",
        "submit": "Enregistrer",
    }
    return render(request, "webhooks/form.html", context)


@administrator_required
@require_POST
def subscription_rotate(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    return _secret_page(
        request, subscription_secret_rotate(subscription=subscription, actor=request.user), rotated=True
    )


@administrator_required
@require_POST
def subscription_toggle(request, subscription_id: int, action: str):
    subscription = _subscription(request, subscription_id)
    if action == "enable":
        try:
            subscription_enable(subscription=subscription, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "L’abonnement est réactivé : les notifications en attente vont partir.")
    else:
        subscription_deactivate(subscription=subscription, actor=request.user)
        messages.success(request, "L’abonnement est désactivé : les notifications attendent sa réactivation.")
    return redirect("webhooks_admin:detail", subscription.pk)


@administrator_required
@require_POST
def subscription_delete_view(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    subscription_delete(subscription=subscription, actor=request.user)
    messages.success(request, "L’abonnement est supprimé.")
    return redirect("webhooks_admin:list")


@administrator_required
@require_POST
def delivery_replay_view(request, subscription_id: int, delivery_id: int):
    subscription = _subscription(request, subscription_id)
    delivery = delivery_for_administrator(request.user, subscription, delivery_id)
    if delivery is None:
        raise Http404("Cet envoi n’existe pas.")
    try:
        delivery_replay(delivery=delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"La notification {delivery.message.msg_id} est renvoyée.")
    return redirect("webhooks_admin:detail", subscription.pk)
