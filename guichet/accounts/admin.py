from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .data_access import data_access_set
from .models import DataSourceAccess, FranceConnectIdentity, Organisation, OrganisationRole, ProConnectIdentity, User
from .second_factor import recovery_codes_left, second_factor_enrolled, second_factor_reset


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison de la réinitialisation"),
        help_text=_("Par exemple : téléphone perdu, identité vérifiée par le chef de service le 3 mars."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name"]}),
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "email_confirmed_at"]}),
        (_("Double authentification"), {"fields": ["second_factor"]}),
    ]
    readonly_fields = ["second_factor"]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    @admin.display(description=_("Second facteur"))
    def second_factor(self, obj):
        if obj.pk is None or not second_factor_enrolled(obj):
            return _("Aucun second facteur enregistré.")
        url = reverse("admin:accounts_user_second_factor_reset", args=[obj.pk])
        return format_html(
            '{} ({} codes de secours restants) — <a href="{}">Réinitialiser (facteur perdu)</a>',
            _("Enregistré"),
            recovery_codes_left(obj),
            url,
        )

    def get_urls(self):
        own = [
            path(
                "<int:user_id>/double-authentification/reinitialiser/",
                self.admin_site.admin_view(self.second_factor_reset_view),
                name="accounts_user_second_factor_reset",
            )
        ]
        return own + super().get_urls()

    def second_factor_reset_view(self, request, user_id: int):
        """A super-administrator resets a lost second factor, with a reason (audited)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        user = get_object_or_404(User, pk=user_id)
        form = SecondFactorResetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                second_factor_reset(actor=request.user, user=user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                messages.success(
                    request,
                    _(
                        "La double authentification de %(user)s est réinitialisée : un nouveau second facteur "
                        "lui sera demandé à sa prochaine connexion."
                    )
                    % {"user": user.email},
                )
                return redirect("admin:accounts_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Réinitialiser la double authentification"),
            "person": user,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/second_factor_reset.html", context)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "siret"]
    search_fields = ["name", "siret"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(OrganisationRole)
class OrganisationRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]


@admin.register(FranceConnectIdentity)
class FranceConnectIdentityAdmin(admin.ModelAdmin):
    """Read only: the identity is what FranceConnect certified at the last sign-in."""

    list_display = ["user", "given_name", "family_name", "birthdate", "signed_in_at"]
    search_fields = ["user__email", "family_name", "given_name", "sub"]
    readonly_fields = [field.name for field in FranceConnectIdentity._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProConnectIdentity)
class ProConnectIdentityAdmin(admin.ModelAdmin):
    """Read only: what ProConnect sent at the agent's last sign-in."""

    list_display = ["user", "given_name", "usual_name", "siret", "organisation", "acr", "signed_in_at"]
    search_fields = ["user__email", "usual_name", "given_name", "sub", "siret"]
    readonly_fields = [field.name for field in ProConnectIdentity._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DataSourceAccessForm(forms.ModelForm):
    """The token is written, never shown back: left empty on a change, the current one is kept."""

    token = forms.CharField(
        label=_("Jeton"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Celui de l’habilitation (datapass). Laissez vide pour garder le jeton actuel."),
    )

    class Meta:
        model = DataSourceAccess
        fields = ["organisation", "provider", "context"]

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token and not self.instance.pk:
            raise ValidationError(_("Indiquez le jeton."))
        return token


@admin.register(DataSourceAccess)
class DataSourceAccessAdmin(admin.ModelAdmin):
    form = DataSourceAccessForm
    list_display = ["organisation", "provider", "updated_at"]
    list_filter = ["provider"]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation", "provider"] if obj else []

    def save_model(self, request, obj, form, change):
        token = form.cleaned_data["token"] or DataSourceAccess.objects.get(pk=obj.pk).token
        saved = data_access_set(
            actor=request.user,
            organisation=obj.organisation,
            provider=obj.provider,
            token=token,
            context=obj.context,
        )
        obj.pk, obj.token = saved.pk, saved.token
