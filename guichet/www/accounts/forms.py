from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from guichet.accounts.models import User
from guichet.core.emails import email_send_on_commit

EMAIL_HINT = "Format attendu : nom@domaine.fr"


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
        "unconfirmed": (
            "Votre adresse électronique n’est pas encore confirmée : suivez le lien que nous vous avons "
            "envoyé par courriel pour activer votre compte."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].help_text = EMAIL_HINT
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})
        self.fields["password"].label = "Mot de passe"

    def clean_username(self):
        # Accounts store their address in lower case.
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user):
        if user.is_awaiting_confirmation:
            raise forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")
        super().confirm_login_allowed(user)

    @property
    def awaits_confirmation(self) -> bool:
        return any(error.code == "unconfirmed" for error in self.errors.as_data().get("__all__", []))


def _name_field(label: str, autocomplete: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=150,
        required=required,
        error_messages={"required": f"Indiquez votre {label.lower()}."},
        widget=forms.TextInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
    )


class SignUpForm(forms.Form):
    first_name = _name_field("Prénom", "given-name")
    last_name = _name_field("Nom", "family-name")
    email = forms.EmailField(
        label="Adresse électronique",
        help_text=EMAIL_HINT,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text="Au moins 12 caractères, ni trop courant, ni entièrement numérique, ni proche de votre adresse.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        help_text="Saisissez à nouveau le même mot de passe.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"].strip()).lower()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        if password1:
            try:
                password_validation.validate_password(
                    password1,
                    user=User(
                        email=cleaned.get("email") or "",
                        first_name=cleaned.get("first_name") or "",
                        last_name=cleaned.get("last_name") or "",
                    ),
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ConfirmationResendForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text=EMAIL_HINT,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ProfileForm(forms.Form):
    # Required: a dossier, an act and an instructor's list show the applicant's name.
    first_name = _name_field("Prénom", "given-name")
    last_name = _name_field("Nom", "family-name")


class QueuedPasswordResetForm(PasswordResetForm):
    """Send the reset email from the task worker, once the request's transaction has committed."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        email_send_on_commit(name="accounts/password_reset", context=context, to=[to_email])


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        help_text="Le code à 6 chiffres affiché par votre application d’authentification, ou l’un de vos codes "
        "de secours (par exemple : abcde-fghij).",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


class TOTPSetupForm(forms.Form):
    code = forms.CharField(
        label="Code affiché par l’application",
        help_text="6 chiffres, par exemple : 123456",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label="Raison de la réinitialisation",
        help_text="Par exemple : téléphone perdu, identité vérifiée par le chef de service le 3 mars.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
