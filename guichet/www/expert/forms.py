from django import forms

from guichet.www.usager.forms import YES_NO, MessageForm, yes_no_coerce


class ExpertAnswerForm(MessageForm):
    """The expert's opinion: a text, « oui / non » when it was asked, a file if they wish."""

    yes_no = forms.TypedChoiceField(
        label="Votre réponse",
        choices=YES_NO,
        coerce=yes_no_coerce,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    field_order = ["yes_no", "body", "attachment"]

    def __init__(self, *args, ask_yes_no: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = "Votre avis"
        self.fields["body"].error_messages["required"] = "Écrivez votre avis."
        if ask_yes_no:
            self.fields["yes_no"].required = True
            self.fields["yes_no"].error_messages["required"] = "Répondez par oui ou par non."
        else:
            del self.fields["yes_no"]
