"""« Mes données »: the applicant downloads everything Guichet keeps about them, and deletes their
account (archives/personal_data.py says what that does to their dossiers)."""

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from guichet.accounts.closure import user_is_agent
from guichet.archives.personal_data import account_data_export, account_delete, account_deletion_preview
from guichet.documents.dossier_pdf import dossier_pdfa


class AccountDeleteForm(forms.Form):
    """Deleting an account cannot be undone: its owner proves it is them (their password), or,
    for an account without one (FranceConnect), types its address."""

    confirmation = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe pour confirmer."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            field = self.fields["confirmation"]
            field.label = "Votre adresse électronique"
            field.help_text = f"Saisissez {user.email} pour confirmer."
            field.widget = forms.EmailInput(attrs={"autocomplete": "off"})
            field.error_messages["required"] = "Saisissez votre adresse électronique pour confirmer."

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"]
        if self.user.has_usable_password():
            if not self.user.check_password(value):
                raise forms.ValidationError("Ce mot de passe n’est pas le bon.")
        elif value.strip().lower() != self.user.email.lower():
            raise forms.ValidationError("Cette adresse n’est pas celle de votre compte.")
        return value


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/my_data.html",
        {"preview": account_deletion_preview(request.user), "is_agent": user_is_agent(request.user)},
    )


@login_required
@require_POST
def my_data_download(request: HttpRequest) -> HttpResponse:
    """The ZIP, written to a temporary file (a person with many dossiers and files does not fill
    the server's memory), sent, then forgotten."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by FileResponse)
    account_data_export(user=request.user, out=spool, dossier_pdf=dossier_pdfa)
    spool.seek(0)
    name = f"mes-donnees-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user_is_agent(user):
        messages.info(request, "Un compte d’agent est fermé par l’administrateur de son organisation.")
        return redirect("accounts:my_data")
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            done = account_delete(user=user)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("accounts:my_data")
        logout(request)
        if done.pseudonymised:
            messages.success(
                request, "Votre compte est supprimé. Les informations qui vous identifiaient sont effacées."
            )
        else:
            messages.success(
                request,
                "Votre compte est fermé. Vos dossiers déposés sont conservés par l’administration pendant leur "
                "durée de conservation ; votre identité sera effacée à son terme.",
            )
        return redirect("public:home")
    return render(request, "accounts/account_delete.html", {"form": form, "preview": account_deletion_preview(user)})
