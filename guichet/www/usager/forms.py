from django import forms
from django.conf import settings

from guichet.core.uploads import UploadRefused, upload_check
from guichet.dossiers.models import Opinion


def upload_too_large(upload) -> bool:
    return upload is not None and upload.size > settings.GUICHET_UPLOAD_MAX_MB * 1024 * 1024


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Votre message",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Écrivez votre message.", "max_length": "Votre message est trop long."},
    )
    attachment = forms.FileField(
        label="Joindre un fichier (facultatif)",
        required=False,
        help_text=(
            f"Formats acceptés : PDF, images (JPEG, PNG), documents texte et tableurs. "
            f"Taille maximale : {settings.GUICHET_UPLOAD_MAX_MB} Mo."
        ),
    )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload is None:
            return None
        try:
            # The same checks as when the file is kept (the antivirus comes then): told here, with the form.
            upload_check(upload)
        except UploadRefused as refusal:
            raise forms.ValidationError(refusal.message) from refusal
        return upload


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Pourquoi retirez-vous votre dossier ? (facultatif)",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


YES_NO = [("true", "Oui"), ("false", "Non")]


def yes_no_coerce(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value)


class OpinionForm(forms.Form):
    overall = forms.TypedChoiceField(
        label="De façon générale, comment ça s’est passé ?",
        choices=Opinion.Overall.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Dites-nous comment ça s’est passé."},
    )
    clarity = forms.TypedChoiceField(
        label="La démarche était-elle claire ?",
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    help_needed = forms.TypedChoiceField(
        label="Avez-vous eu besoin d’aide pour faire cette démarche ?",
        choices=YES_NO,
        coerce=yes_no_coerce,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    help_channels = forms.MultipleChoiceField(
        label="Vers qui ou quoi vous êtes-vous tourné ?",
        choices=Opinion.HelpChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    help_reached = forms.TypedChoiceField(
        label="Avez-vous réussi à obtenir cette aide ?",
        choices=YES_NO,
        coerce=yes_no_coerce,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    help_quality = forms.TypedChoiceField(
        label="Comment jugez-vous l’aide reçue ?",
        choices=Opinion.HelpQuality.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Un commentaire ? (facultatif ; n’y écrivez pas de données personnelles)",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def once_key(self) -> str | None:
        """For `{% once %}`: every unbound form shows the same questions; a bound one is rendered each time."""
        return None if self.is_bound else "vierge"


def help_followups_pending(data) -> bool:
    """The person said they needed help, and the questions on that help were not on their screen
    (neither shown by the script, which sends `suite_aide`, nor answered): show them first."""
    if data.get("help_needed") != "true" or data.get("suite_aide"):
        return False
    return not any(data.get(name) for name in ("help_channels", "help_reached", "help_quality"))
