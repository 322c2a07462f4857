"""The organisation's service accounts (the API's keys of its software), for its administrators:
listed with their last use, made (the key shown once), changed (scopes, procedures, allowed
addresses), their tokens rotated or revoked, the account revoked. Works without JavaScript."""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from guichet.accounts.models import Organisation
from guichet.api.models import ServiceAccount, ServiceToken
from guichet.api.scopes import Scope
from guichet.api.selectors import (
    organisation_ids_managing_service_accounts,
    service_account_tokens,
    service_accounts_managed_by,
)
from guichet.api.service_accounts import (
    ServiceAccountInvalid,
    addresses_parse,
    service_account_create,
    service_account_revoke,
    service_account_update,
    service_token_create,
    service_token_revoke,
    service_token_rotate,
)
from guichet.procedures.models import Procedure

from .access import administrator_required


class ServiceAccountForm(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none())
    name = forms.CharField(
        label="Nom du compte", max_length=100, help_text="Le logiciel qui l’utilise, par exemple « GED du service »."
    )
    scopes = forms.MultipleChoiceField(
        label="Droits", choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    procedures = forms.ModelMultipleChoiceField(
        label="Démarches",
        queryset=Procedure.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Aucune cochée : toutes les démarches de l’organisation et de ses services, y compris les futures.",
    )
    allowed_addresses = forms.CharField(
        label="Adresses autorisées (facultatif)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Une adresse IP ou un réseau par ligne (par exemple 192.0.2.10 ou 192.0.2.0/24). "
        "Vide : les appels sont acceptés d’où qu’ils viennent.",
    )

    def __init__(self, *args, user, account: ServiceAccount | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        managed = organisation_ids_managing_service_accounts(user)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=managed).order_by("name")
        self.fields["procedures"].queryset = (
            Procedure.objects.filter(organisation_id__in=managed).defer("draft_definition").order_by("title")
        )
        self.fields["scopes"].error_messages["required"] = "Cochez au moins un droit."
        if account is not None:
            del self.fields["organisation"]

    def clean_allowed_addresses(self) -> list[str]:
        try:
            return addresses_parse(self.cleaned_data["allowed_addresses"].splitlines())
        except ServiceAccountInvalid as error:
            raise forms.ValidationError(str(error)) from None


class TokenForm(forms.Form):
    expires_on = forms.DateField(
        label="Date d’expiration (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Vide : la clé ne s’arrête que révoquée ou renouvelée. Format : jj/mm/aaaa.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _account(request: HttpRequest, pk: int) -> ServiceAccount:
    account = service_accounts_managed_by(request.user).filter(pk=pk).first()
    if account is None:
        raise Http404("Ce compte de service n’existe pas ou vous ne le gérez pas.")
    return account


def _token(account: ServiceAccount, pk: int) -> ServiceToken:
    token = service_account_tokens(account).filter(pk=pk).select_related("account__organisation").first()
    if token is None:
        raise Http404("Ce jeton n’existe pas.")
    return token


def _key_shown(request: HttpRequest, account: ServiceAccount, made, *, rotated: ServiceToken | None = None):
    # Shown in the answer to the POST itself: the key is never in an address nor stored anywhere.
    return render(
        request, "admin_procedures/service_account_key.html", {"account": account, "made": made, "rotated": rotated}
    )


@administrator_required
def service_account_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "admin_procedures/service_accounts.html", {"accounts": service_accounts_managed_by(request.user)}
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def service_account_create_view(request: HttpRequest) -> HttpResponse:
    form = ServiceAccountForm(request.POST or None, user=request.user)
    token_form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and token_form.is_valid():
        data = form.cleaned_data
        try:
            account = service_account_create(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"],
                scopes=data["scopes"],
                procedures=data["procedures"],
                allowed_addresses=data["allowed_addresses"],
            )
            made = service_token_create(actor=request.user, account=account, expires_at=token_form.expires_at())
        except ServiceAccountInvalid as error:
            form.add_error(None, str(error))
        else:
            return _key_shown(request, account, made)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "admin_procedures/service_account_form.html", {"form": form, "token_form": token_form}, status=status
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def service_account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    initial = {
        "name": account.name,
        "scopes": account.scopes,
        "procedures": list(account.procedures.all()),
        "allowed_addresses": "\n".join(account.allowed_addresses),
    }
    form = ServiceAccountForm(request.POST or None, user=request.user, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service_account_update(
                actor=request.user,
                account=account,
                name=data["name"],
                scopes=data["scopes"],
                procedures=data["procedures"],
                allowed_addresses=data["allowed_addresses"],
            )
        except ServiceAccountInvalid as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Le compte de service est enregistré : ses clés ont ses nouveaux droits dès leur prochain appel.",
            )
            return redirect("service_accounts:detail", account.pk)
    context = {
        "account": account,
        "form": form,
        "token_form": TokenForm(),
        "tokens": service_account_tokens(account),
        "now": timezone.now(),
    }
    return render(request, "admin_procedures/service_account_detail.html", context, status=400 if form.errors else 200)


@administrator_required
@require_POST
def service_token_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    token_form = TokenForm(request.POST)
    if token_form.is_valid():
        try:
            made = service_token_create(actor=request.user, account=account, expires_at=token_form.expires_at())
        except ServiceAccountInvalid as error:
            messages.error(request, str(error))
        else:
            return _key_shown(request, account, made)
    else:
        messages.error(request, "La date d’expiration n’est pas une date valide (jj/mm/aaaa).")
    return redirect("service_accounts:detail", account.pk)


@administrator_required
@require_POST
def service_token_rotate_view(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    account = _account(request, pk)
    token = _token(account, token_pk)
    try:
        made = service_token_rotate(actor=request.user, token=token)
    except ServiceAccountInvalid as error:
        messages.error(request, str(error))
        return redirect("service_accounts:detail", account.pk)
    return _key_shown(request, account, made, rotated=token)


@administrator_required
@require_POST
def service_token_revoke_view(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    account = _account(request, pk)
    token = _token(account, token_pk)
    service_token_revoke(actor=request.user, token=token)
    messages.success(request, f"La clé {token.prefix}… est révoquée : elle ne permet plus rien.")
    return redirect("service_accounts:detail", account.pk)


@administrator_required
@require_POST
def service_account_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    service_account_revoke(actor=request.user, account=account)
    messages.success(request, f"Le compte « {account.name} » est révoqué : aucune de ses clés ne permet plus rien.")
    return redirect("service_accounts:list")
