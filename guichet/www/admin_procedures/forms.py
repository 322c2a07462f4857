"""The builder's forms. Each turns what an administrator types into settings of the definition's
JSON; conditions and formulas are chosen from lists, never typed as code."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms import formset_factory
from django.utils.text import slugify

from guichet.connectors.antivirus import upload_scan
from guichet.core.uploads import UploadRefused, upload_check
from guichet.procedures.assisted import OPERATIONS, OPERATOR_LABELS, ConditionRow, FormulaSpec, Operand
from guichet.procedures.definition import IDENTITY_PURPOSES, FieldType, Operator
from guichet.procedures.editing import FIELD_TYPE_LABELS, identifier_from
from guichet.procedures.identity_purposes import IDENTITY_PURPOSE_LABELS
from guichet.procedures.models import Procedure
from guichet.procedures.services import SETTINGS_FIELDS
from guichet.www.date_entry import DateEntryField

from .source_fields import source_from_settings, source_initial, source_settings_fields

SLUG_HELP = "Lettres minuscules, chiffres et tirets ; laissez vide pour la déduire du titre."
slug_validator = RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Lettres minuscules, chiffres et tirets uniquement.")


class _SlugMixin:
    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title", ""))[:100]
        if not slug:
            raise ValidationError("Indiquez l’adresse de la démarche.")
        if Procedure.objects.filter(slug=slug).exists():
            raise ValidationError(f"L’adresse « {slug} » est déjà prise : choisissez-en une autre.")
        return slug


class ProcedureCreateForm(_SlugMixin, forms.Form):
    title = forms.CharField(label="Titre de la démarche", max_length=200)
    organisation = forms.ModelChoiceField(label="Organisation responsable", queryset=None, empty_label=None)
    slug = forms.CharField(
        label="Adresse publique", max_length=100, required=False, help_text=SLUG_HELP, validators=[slug_validator]
    )
    summary = forms.CharField(label="Résumé en une phrase", max_length=300, required=False)
    field_order = ["title", "slug", "organisation", "summary"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_slug(self) -> str:  # the title is cleaned before the slug
        return super().clean_slug()


class ProcedureCloneForm(ProcedureCreateForm):
    field_order = ["title", "slug", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["summary"]


class ProcedureSettingsForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = list(SETTINGS_FIELDS)
        field_classes = {"opens_on": DateEntryField, "closes_on": DateEntryField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "data_needed": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "description": "À quoi sert la démarche et qui peut la faire (texte simple, listes et liens permis).",
            "data_needed": "Les documents et informations à réunir avant de commencer, affichés avant le formulaire.",
            "opens_on": "Laissez vide pour ouvrir dès la publication.",
            "closes_on": "Laissez vide pour une démarche sans date de fin.",
            "processing_days": "Délai légal ou annoncé, en jours, à compter du dépôt du dossier.",
            "silence_rule": "Décision implicite prise automatiquement à l’expiration du délai, sans réponse.",
            "correction_clock": (
                "Suspendu, le délai reprend où il en était quand l’usager renvoie son dossier corrigé ; "
                "sinon, il repart en entier à ce moment."
            ),
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None


class FieldAddForm(forms.Form):
    field_type = forms.ChoiceField(
        label="Type de champ", choices=[(str(kind), label) for kind, label in FIELD_TYPE_LABELS.items()]
    )
    label = forms.CharField(label="Libellé", max_length=500, required=False)


class PageForm(forms.Form):
    title = forms.CharField(label="Titre de la page", max_length=200)
    description = forms.CharField(
        label="Introduction de la page", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# Field settings --------------------------------------------------------------------------------

COMMON_FILE_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "Image JPEG",
    "image/png": "Image PNG",
    "application/vnd.oasis.opendocument.text": "Texte OpenDocument (.odt)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.oasis.opendocument.spreadsheet": "Tableur OpenDocument (.ods)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
    "text/csv": "CSV",
    "application/zip": "Archive ZIP",
}


def _integer(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, **kwargs)


def _settings_fields(kind: FieldType) -> dict[str, forms.Field]:
    """The settings an administrator can change for one type of field."""
    fields: dict[str, forms.Field] = {"label": forms.CharField(label="Libellé", max_length=500)}
    if kind == FieldType.EXPLANATION:
        fields["text"] = forms.CharField(
            label="Texte affiché",
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text="Paragraphes, **gras**, *italique*, listes à puces et liens [texte](https://…).",
        )
        return fields
    if kind == FieldType.SECTION:
        return fields
    fields["help"] = forms.CharField(label="Texte d’aide", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    if kind != FieldType.COMPUTED:
        fields["required"] = forms.BooleanField(label="Réponse obligatoire", required=False)
    if kind == FieldType.TEXT:
        fields["min_length"] = _integer("Nombre minimal de caractères")
        fields["max_length"] = _integer("Nombre maximal de caractères", max_value=10_000)
        fields["pattern"] = forms.CharField(
            label="Format imposé (expression régulière, facultatif)",
            required=False,
            help_text="Par exemple [0-9]{5} pour cinq chiffres.",
        )
        fields["pattern_message"] = forms.CharField(label="Message si le format n’est pas respecté", required=False)
    if kind == FieldType.TEXTAREA:
        fields["max_length"] = _integer("Nombre maximal de caractères", max_value=100_000)
    if kind in IDENTITY_PURPOSES:
        fields["autocomplete"] = forms.ChoiceField(
            label="Finalité : information sur la personne qui remplit (facultatif)",
            choices=[("", "Aucune"), *((str(p), IDENTITY_PURPOSE_LABELS[p]) for p in IDENTITY_PURPOSES[kind])],
            required=False,
            help_text="Seulement si la question porte sur la personne qui remplit le formulaire (pas sur un "
            "enfant, un tiers ou un bien) : son navigateur pourra proposer de remplir la réponse, et les "
            "technologies d’assistance l’identifier (accessibilité, RGAA 11.13).",
        )
    if kind in {FieldType.INTEGER, FieldType.DECIMAL}:
        fields["min"] = forms.DecimalField(label="Valeur minimale", required=False)
        fields["max"] = forms.DecimalField(label="Valeur maximale", required=False)
    if kind in {FieldType.INTEGER, FieldType.DECIMAL, FieldType.COMPUTED}:
        fields["unit"] = forms.CharField(label="Unité (m², €, jours…)", max_length=20, required=False)
    if kind == FieldType.DATE:
        fields["min"] = DateEntryField(label="Date au plus tôt", required=False)
        fields["max"] = DateEntryField(label="Date au plus tard", required=False)
    if kind in {FieldType.DATE, FieldType.DATETIME}:
        fields["past_only"] = forms.BooleanField(label="Date passée uniquement", required=False)
        fields["future_only"] = forms.BooleanField(label="Date à venir uniquement", required=False)
    if kind in {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE}:
        fields["options"] = forms.CharField(
            label="Choix proposés", widget=forms.Textarea(attrs={"rows": 5}), help_text="Un choix par ligne."
        )
    if kind == FieldType.CHOICE:
        fields["widget"] = forms.ChoiceField(
            label="Présentation",
            choices=[("radio", "Boutons radio (jusqu’à 6 choix)"), ("select", "Liste déroulante")],
            required=False,
        )
        fields["allow_other"] = forms.BooleanField(label="Proposer « Autre » avec un texte libre", required=False)
    if kind == FieldType.MULTIPLE_CHOICE:
        fields["min_choices"] = _integer("Nombre minimal de choix")
        fields["max_choices"] = forms.IntegerField(label="Nombre maximal de choix", required=False, min_value=1)
    if kind == FieldType.FILE:
        fields["accept"] = forms.MultipleChoiceField(
            label="Types de fichiers acceptés",
            choices=list(COMMON_FILE_TYPES.items()),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=(
                "Aucun coché : les documents et images courants (PDF, images, textes, tableurs). "
                "Le type est vérifié d’après le contenu du fichier."
            ),
        )
        fields["max_size_mb"] = forms.IntegerField(
            label="Taille maximale (Mo)", required=False, min_value=1, max_value=500
        )
        fields["max_files"] = forms.IntegerField(
            label="Nombre maximal de fichiers", required=False, min_value=1, max_value=50
        )
        fields["template_upload"] = forms.FileField(
            label="Modèle à télécharger (facultatif)", required=False, help_text="Un document que l’usager remplit."
        )
        fields["template_remove"] = forms.BooleanField(label="Retirer le modèle actuel", required=False)
    if kind == FieldType.BLOCK:
        fields["min_rows"] = _integer("Nombre minimal de lignes")
        fields["max_rows"] = forms.IntegerField(label="Nombre maximal de lignes", required=False, min_value=1)
    return fields


def field_settings_form(
    kind: FieldType, field: dict[str, Any], data=None, files=None, *, siret_fields: list[tuple[str, str]] = ()
) -> forms.Form:
    """A form with the settings of one field, filled with its current values; `siret_fields`: the
    form's SIRET fields, that a data source may fill it from."""
    attributes: dict[str, Any] = dict(_settings_fields(kind)) | source_settings_fields(kind, list(siret_fields))
    if "template_upload" in attributes:
        attributes["clean_template_upload"] = _template_upload_clean
    form_class = type("FieldSettingsForm", (forms.Form,), attributes)
    initial = dict(field) | source_initial(field)
    if "options" in initial:
        initial["options"] = "\n".join(option["label"] for option in field["options"])
    return form_class(data=data, files=files, initial=initial)


def _template_upload_clean(form: forms.Form):
    """A template is offered to every applicant: it is held to what an applicant's own file is held to."""
    upload = form.cleaned_data.get("template_upload")
    if upload:
        try:
            upload_scan(upload, upload_check(upload)["name"])
        except UploadRefused as refusal:
            raise forms.ValidationError(refusal.message) from refusal
    return upload


def options_from_lines(text: str, existing: list[dict[str, str]], published: set[str]) -> list[dict[str, str]]:
    """Options from one label per line. An option keeps its value when its label stays; a published
    option also keeps it when only its label changed at the same place, so that answers and
    conditions keep following it. Other values come from the labels."""
    labels = [line.strip() for line in text.splitlines() if line.strip()]
    by_label = {option["label"]: option["value"] for option in existing}
    same_count = len(labels) == len(existing)
    options, taken = [], set()
    for index, label in enumerate(labels):
        value = by_label.get(label)
        if not value and same_count and existing[index]["value"] in published:
            value = existing[index]["value"]
        if not value or value in taken:
            value = identifier_from(label, taken | published, fallback="choix")
        taken.add(value)
        options.append({"value": value, "label": label[:300]})
    return options


def settings_from_form(
    kind: FieldType, form: forms.Form, field: dict[str, Any], *, published_values: set[str]
) -> dict[str, Any]:
    """The field's settings from a valid settings form (the template file is handled by the view);
    `published_values` are the field's option values in the latest published version."""
    # Settings that have their own page (condition, formula, template file) or no control here stay.
    data = {key: value for key, value in field.items() if key not in form.fields and key not in {"id", "type"}}
    data |= {key: value for key, value in form.cleaned_data.items() if not key.startswith("template_")}
    for key in ("min", "max"):
        if data.get(key) is not None and key in form.fields:
            value = data[key]
            data[key] = value.isoformat() if kind == FieldType.DATE else float(value)
            if kind != FieldType.DATE and float(value).is_integer():
                data[key] = int(value)
    if "options" in form.fields:
        data["options"] = options_from_lines(data["options"], field.get("options", []), published_values)
    if "source_datum" in form.fields:
        data["source"] = source_from_settings(data)
        if data["source"] is None:
            del data["source"]
    return data


# Conditions ------------------------------------------------------------------------------------


class ConditionRowForm(forms.Form):
    field = forms.ChoiceField(label="Champ", required=False)
    op = forms.ChoiceField(
        label="Comparaison", choices=[(str(op), label) for op, label in OPERATOR_LABELS.items()], required=False
    )
    value = forms.CharField(
        label="Valeur",
        required=False,
        help_text="Pour « l’une des valeurs », séparez-les par « ; ». Dates au format jj/mm/aaaa.",
    )

    def __init__(self, *args, field_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "— Choisir un champ —"), *field_choices]

    def row(self) -> ConditionRow:
        data = self.cleaned_data
        return ConditionRow(data.get("field") or "", Operator(data.get("op") or Operator.EQ), data.get("value") or "")


ConditionRowFormSet = formset_factory(ConditionRowForm, extra=0, max_num=30, absolute_max=30)


class CombinatorForm(forms.Form):
    combinator = forms.ChoiceField(
        label="Afficher quand",
        choices=[("all", "toutes les règles sont vraies (et)"), ("any", "au moins une règle est vraie (ou)")],
        widget=forms.RadioSelect,
        initial="all",
    )


class EligibilityMessageForm(forms.Form):
    message = forms.CharField(
        label="Message affiché à l’usager quand ces règles sont vraies",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : « Cette démarche est réservée aux associations déclarées depuis plus d’un an. »",
    )


# Formulas --------------------------------------------------------------------------------------


class FormulaForm(forms.Form):
    operation = forms.ChoiceField(label="Calcul", choices=list(OPERATIONS.items()))
    decimals = forms.IntegerField(
        label="Arrondir à … décimales", required=False, min_value=0, max_value=6, help_text="Vide : pas d’arrondi."
    )


class OperandForm(forms.Form):
    source = forms.ChoiceField(label="Élément", required=False)
    value = forms.CharField(label="Nombre ou texte", required=False)

    def __init__(self, *args, field_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            ("", "— Choisir —"),
            ("number", "Un nombre fixe…"),
            ("text", "Un texte fixe…"),
            *[(f"field:{value}", label) for value, label in field_choices],
        ]

    def operand(self) -> Operand | None:
        source, value = self.cleaned_data.get("source") or "", self.cleaned_data.get("value") or ""
        if source.startswith("field:"):
            return Operand("field", source.removeprefix("field:"))
        if source in {"number", "text"}:
            return Operand(source, value)
        return None


OperandFormSet = formset_factory(OperandForm, extra=0, max_num=20, absolute_max=20)


def formula_spec(form: FormulaForm, operands: Any) -> FormulaSpec:
    found = [operand for operand in (row.operand() for row in operands.forms) if operand]
    return FormulaSpec(form.cleaned_data["operation"], found, form.cleaned_data.get("decimals"))


# Groups and routing ----------------------------------------------------------------------------


class GroupForm(forms.Form):
    name = forms.CharField(label="Nom du groupe", max_length=150)
    is_default = forms.BooleanField(label="Groupe par défaut (reçoit les dossiers sans règle)", required=False)


class MemberForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique de l’instructeur")
