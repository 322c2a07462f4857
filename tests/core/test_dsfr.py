"""Form fields written in Python (guichet.core.dsfr) must say what Django's widget templates say."""

import datetime

import pytest
from django import forms

from guichet.core.dsfr import field_html, widget_html


class Sample(forms.Form):
    text = forms.CharField(label="Nom", max_length=20, help_text="Comme sur <em>l’acte</em>")
    email = forms.EmailField(label="Courriel", required=False)
    password = forms.CharField(label="Mot de passe", widget=forms.PasswordInput)
    number = forms.IntegerField(label="Nombre", min_value=0)
    day = forms.DateField(label="Jour", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(label="J’accepte", required=False)
    choice = forms.ChoiceField(label="Choix", choices=[("", "—"), ("a", "A & B"), ("b", "« B »")])
    grouped = forms.ChoiceField(
        label="Groupé", choices=[("Premier", [("1", "un"), ("2", "deux")]), ("Second", [("3", "trois")])]
    )
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 3}))
    radio = forms.ChoiceField(label="Radio", choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    files = forms.FileField(label="Pièce", required=False)


BOUND = {
    "text": 'Jean "<b>" & Co',
    "email": "x@example.fr",
    "password": "secret",
    "number": "-3",
    "day": "2026-12-01",
    "hidden": "caché",
    "agree": "on",
    "choice": "a",
    "grouped": "3",
    "body": "ligne 1\n<ligne 2>",
    "radio": "y",
}


@pytest.mark.parametrize(
    "data", [None, BOUND, {"text": "x" * 30, "day": "pas une date"}], ids=["new", "bound", "errors"]
)
@pytest.mark.parametrize("name", [name for name in Sample.base_fields if name not in {"radio", "files"}])
def test_widgets_are_written_as_django_writes_them(name, data):
    form = Sample(data, initial={"day": datetime.date(2026, 1, 2), "choice": "b"})
    if data is not None:
        form.is_valid()
    field = form[name]
    attrs = {"class": "fr-input", "aria-describedby": "x-erreur"}
    assert widget_html(field, attrs) == field.as_widget(attrs=attrs)


def test_a_field_with_an_error_names_its_message_and_its_hint():
    form = Sample({"text": "x" * 30})
    form.is_valid()
    html = field_html(form["text"])
    assert 'aria-describedby="id_text-aide id_text-erreur"' in html
    assert 'aria-invalid="true"' in html
    assert '<p id="id_text-erreur" class="fr-error-text">' in html
    assert "Comme sur <em>l’acte</em>" in html  # our own hints may hold markup
    assert 'value="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"' in html  # what was typed is kept


def test_answers_are_escaped_in_every_kind_of_field():
    form = Sample({**BOUND, "text": "<script>alert(1)</script>", "body": "</textarea><script>"})
    form.is_valid()
    html = "".join(field_html(form[name]) for name in Sample.base_fields)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_radio_buttons_are_a_fieldset_with_a_legend():
    form = Sample({"radio": "z"})
    form.is_valid()
    html = field_html(form["radio"])
    assert html.startswith('<fieldset class="fr-fieldset fr-fieldset--error" id="id_radio"')
    assert 'aria-labelledby="id_radio-legende id_radio-erreur"' in html
    assert '<input type="radio" name="radio" value="y" id="id_radio_1" required>' in html
