"""The organisations' administrators' HubEE screens: their subscriptions to HubEE démarches (the
client secret asked once and never shown), each one's field mapping (a row per field of the procedure,
checked against its published form), the cases received with their outcome, and a procedure's
transmission of its dossiers to another administration."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from guichet.accounts.models import Organisation
from guichet.exchanges.mapping import procedure_fields
from guichet.exchanges.models import HubeeSubscription
from guichet.exchanges.selectors import (
    hubee_subscription_for_administrator,
    hubee_subscriptions_administered_by,
    hubee_transmission_of,
    procedures_for_hubee,
    received_cases_of,
)
from guichet.exchanges.services import (
    hubee_mappings_replace,
    hubee_subscription_create,
    hubee_subscription_update,
    hubee_transmission_set,
)
from guichet.procedures.selectors import organisation_ids_administered_by
from guichet.www.admin_procedures.access import administered_procedure, administrator_required
from guichet.www.service_errors import form_errors_add

from .forms import SubscriptionForm, TransmissionForm

RECEIVED_SHOWN = 50


def _subscription(request, subscription_id: int) -> HubeeSubscription:
    subscription = hubee_subscription_for_administrator(request.user, subscription_id)
    if subscription is None:
        raise Http404("Cet abonnement HubEE n’existe pas ou vous ne l’administrez pas.")
    return subscription


def _form(request, *, initial=None, editing=False) -> SubscriptionForm:
    return SubscriptionForm(
        request.POST or None,
        initial=initial,
        organisations=Organisation.objects.filter(pk__in=organisation_ids_administered_by(request.user)).order_by(
            "name"
        ),
        procedures=procedures_for_hubee(request.user),
        editing=editing,
    )


def _form_page(request, form, heading: str, submit: str):
    return render(request, "hubee/form.html", {"form": form, "heading": heading, "submit": submit})


@administrator_required
def subscription_list(request):
    subscriptions = hubee_subscriptions_administered_by(request.user).order_by("organisation__name", "process_code")
    transmissions = [
        {"procedure": procedure, "transmission": hubee_transmission_of(procedure)}
        for procedure in procedures_for_hubee(request.user)
    ]
    return render(request, "hubee/list.html", {"subscriptions": subscriptions, "transmissions": transmissions})


@administrator_required
def subscription_create_view(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = hubee_subscription_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "Abonnement enregistré : indiquez maintenant d’où vient chaque réponse.")
            return redirect("hubee_admin:mappings", subscription.pk)
    return _form_page(request, form, "Nouvel abonnement HubEE", "Enregistrer l’abonnement")


@administrator_required
def subscription_detail(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    context = {
        "subscription": subscription,
        "mappings": subscription.mappings.all(),
        "received": received_cases_of(subscription)[:RECEIVED_SHOWN],
    }
    return render(request, "hubee/detail.html", context)


@administrator_required
def subscription_edit(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    initial = {
        "procedure": subscription.procedure_id,
        "client_id": subscription.client_id,
        "data_attachment_type": subscription.data_attachment_type,
        "active": subscription.active,
    }
    form = _form(request, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            hubee_subscription_update(actor=request.user, subscription=subscription, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "Abonnement modifié.")
            return redirect("hubee_admin:detail", subscription.pk)
    return _form_page(request, form, f"Modifier l’abonnement {subscription.process_code}", "Enregistrer")


@administrator_required
def mappings_edit(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    fields = procedure_fields(subscription.procedure)
    current = dict(subscription.mappings.values_list("field_id", "source"))
    errors: list[str] = []
    if request.method == "POST":
        pairs = [(field_id, request.POST.get(f"source_{field_id}", "")) for field_id in fields]
        pairs = [(field_id, source) for field_id, source in pairs if source.strip()]
        current = dict(pairs)
        try:
            hubee_mappings_replace(actor=request.user, subscription=subscription, pairs=pairs)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "Correspondances enregistrées.")
            return redirect("hubee_admin:detail", subscription.pk)
    rows = [{"field": field, "source": current.get(field_id, "")} for field_id, field in fields.items()]
    return render(request, "hubee/mappings.html", {"subscription": subscription, "rows": rows, "errors": errors})


@administrator_required
def transmission_edit(request, slug: str):
    procedure = administered_procedure(request, slug)
    transmission = hubee_transmission_of(procedure)
    initial = (
        {
            "process_code": transmission.process_code,
            "recipient_siret": transmission.recipient_siret,
            "recipient_branch_code": transmission.recipient_branch_code,
            "client_id": transmission.client_id,
            "active": transmission.active,
        }
        if transmission
        else None
    )
    form = TransmissionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            hubee_transmission_set(actor=request.user, procedure=procedure, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "Transmission par HubEE enregistrée.")
            return redirect("hubee_admin:list")
    return _form_page(request, form, f"Transmettre les dossiers de « {procedure.title} » par HubEE", "Enregistrer")
