"""The form engine, through the builder's preview: the journeys of a person filling a form."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from guichet.accounts.models import OrganisationRole
from guichet.procedures.models import Procedure
from tests.factories import ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

MINOR = {"all": [{"field": "majeur", "op": "eq", "value": False}]}
ADULT = {"all": [{"field": "majeur", "op": "eq", "value": True}]}

DEFINITION = {
    "pages": [
        {
            "id": "identite",
            "title": "Votre identité",
            "description": "Lisez **attentivement** chaque question.",
            "fields": [
                {"id": "vous", "type": "section", "label": "Vous-même"},
                {
                    "id": "a-savoir",
                    "type": "explanation",
                    "label": "À savoir",
                    "text": "Voir [le guide](https://exemple.fr/guide).",
                },
                {"id": "nom", "type": "text", "label": "Nom", "help": "Votre nom de naissance.", "required": True,
                 "max_length": 50},
                {"id": "presentation", "type": "textarea", "label": "Présentation"},
                {"id": "age", "type": "integer", "label": "Âge", "min": 0, "max": 130, "unit": "ans"},
                {"id": "montant", "type": "decimal", "label": "Montant demandé", "unit": "€"},
                {"id": "double", "type": "computed", "label": "Montant doublé", "formula": "montant * 2", "unit": "€"},
                {"id": "naissance", "type": "date", "label": "Date de naissance"},
                {"id": "rendez_vous", "type": "datetime", "label": "Rendez-vous souhaité"},
                {"id": "majeur", "type": "yes_no", "label": "Êtes-vous majeur ?", "required": True},
                {"id": "tuteur", "type": "text", "label": "Nom du tuteur", "required": True, "condition": MINOR},
                {"id": "accord", "type": "checkbox", "label": "J’accepte d’être recontacté"},
                {"id": "civilite", "type": "choice", "widget": "radio", "label": "Civilité",
                 "options": [{"value": "madame", "label": "Madame"}, {"value": "monsieur", "label": "Monsieur"}]},
                {"id": "domaine", "type": "choice", "widget": "select", "allow_other": True, "label": "Domaine",
                 "options": [{"value": "sport", "label": "Sport"}, {"value": "culture", "label": "Culture"}]},
                {"id": "publics", "type": "multiple_choice", "widget": "checkboxes", "label": "Publics",
                 "options": [{"value": "enfants", "label": "Enfants"}, {"value": "adultes", "label": "Adultes"}]},
                {"id": "courriel", "type": "email", "label": "Courriel"},
                {"id": "telephone", "type": "phone", "label": "Téléphone"},
                {"id": "adresse", "type": "address", "label": "Adresse"},
                {"id": "siret", "type": "siret", "label": "SIRET"},
                {"id": "iban", "type": "iban", "label": "IBAN"},
                {"id": "precedent", "type": "linked_dossier", "label": "Dossier précédent"},
            ],
        },
        {
            "id": "details",
            "title": "Le terrain",
            "fields": [
                {"id": "parcelles", "type": "block", "label": "Parcelles", "min_rows": 1, "max_rows": 2, "fields": [
                    {"id": "section", "type": "text", "label": "Section", "required": True},
                    {"id": "surface", "type": "integer", "label": "Surface", "unit": "m²"},
                ]},
                {"id": "plan", "type": "file", "label": "Plan du terrain", "accept": ["image/png", "application/pdf"],
                 "max_files": 2, "max_size_mb": 1,
                 "template_file": {"name": "Modèle de plan", "path": "procedures/modele-plan.pdf"}},
            ],
        },
        {
            "id": "profession",
            "title": "Votre profession",
            "condition": ADULT,
            "fields": [{"id": "metier", "type": "text", "label": "Métier", "required": True}],
        },
    ],
    "eligibility": [
        {"condition": {"all": [{"field": "age", "op": "lt", "value": 16}]},
         "message": "Cette démarche est réservée aux personnes de 16 ans et plus."}
    ],
}  # fmt: skip

PAGE_1 = {
    "nom": "Martin",
    "presentation": "Ligne un\r\nLigne deux",
    "age": "42",
    "montant": "1250,5",
    "naissance": "02/03/1984",
    "rendez_vous": "06/05/2030 14:30",
    "majeur": "true",
    "accord": "true",
    "civilite": "madame",
    "domaine": "__other__",
    "domaine.__other__": "Pêche à la ligne",
    "publics": ["enfants", "adultes"],
    "courriel": "claire.martin@exemple.fr",
    "telephone": "06 12 34 56 78",
    "adresse.street": "1 place de la Mairie",
    "adresse.postcode": "45000",
    "adresse.city": "Sainte-Croix-en-Val",
    "adresse.insee_code": "45999",
    "siret": "73282932000074",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "precedent": "2026-000042",
}


class _Elements(HTMLParser):
    """Every element that has an id, with its tag and attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.by_id[attributes["id"]] = {"tag": tag, **attributes}


def squeezed(html: str) -> str:
    """The HTML with runs of spaces and line breaks made one space (no-break spaces are kept)."""
    return re.sub(r"[ \t\r\n]+", " ", html)


def elements(response) -> dict[str, dict]:
    return _Elements(response.content.decode()).by_id


@pytest.fixture
def procedure():
    return ProcedureFactory(draft_definition=DEFINITION, status=Procedure.Status.DRAFT)


@pytest.fixture
def admin_client(client, procedure):
    user = UserFactory()
    OrganisationRole.objects.create(
        user=user, organisation=procedure.organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    client.force_login(user)
    return client


def page_url(procedure, number):
    return reverse("admin_procedures:preview_page", args=[procedure.slug, number])


def summary_url(procedure):
    return reverse("admin_procedures:preview_summary", args=[procedure.slug])


def stored(client, procedure) -> dict:
    return client.session[f"apercu-{procedure.pk}"]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def fill_page_1(client, procedure, **changes):
    data = {**PAGE_1, **changes}
    return client.post(page_url(procedure, 1), {k: v for k, v in data.items() if v is not None})


def test_each_widget_renders_with_its_label_hint_and_dsfr_markup(admin_client, procedure):
    response = admin_client.get(reverse("admin_procedures:preview", args=[procedure.slug]))
    html = response.content.decode()
    found = elements(response)
    assert "Aperçu : les réponses ne sont pas enregistrées comme un dossier" in html
    assert "Étape 1 sur 2" in html and "Étape suivante :</span> Le terrain" in html
    assert "Lisez <strong>attentivement</strong> chaque question." in html
    assert found["champ-vous"]["tag"] == "h3"
    assert 'class="fr-callout"' in html and '<a href="https://exemple.fr/guide" rel="noopener">le guide</a>' in html
    assert found["champ-nom"] | {"value": ""} == {
        "tag": "input", "class": "fr-input", "type": "text", "id": "champ-nom", "name": "nom", "value": "",
        "maxlength": "50", "aria-required": "true",
    }  # fmt: skip
    assert '<label class="fr-label" for="champ-nom">Nom&nbsp;*' in html
    assert "Votre nom de naissance." in html
    assert found["champ-presentation"]["tag"] == "textarea"
    assert found["champ-age"]["inputmode"] == "numeric" and "Valeur comprise entre 0\u00a0ans et 130\u00a0ans." in html
    assert found["champ-montant"]["inputmode"] == "decimal" and "Unité : €." in html
    assert "readonly" in found["champ-double"] and "name" not in found["champ-double"]
    # Dates are typed as jj/mm/aaaa in a text input, the same in every browser (issue 16).
    assert found["champ-naissance"]["type"] == "text" and "Format attendu : jj/mm/aaaa" in html
    assert found["champ-rendez_vous"]["type"] == "text" and "Format attendu : jj/mm/aaaa hh:mm" in html
    assert found["champ-majeur"]["tag"] == "fieldset" and "fr-fieldset" in found["champ-majeur"]["class"]
    assert found["champ-majeur.1"] | found["champ-majeur.2"] == found["champ-majeur.2"]  # two radios, one name
    assert found["champ-majeur.1"]["value"] == "true" and found["champ-majeur.2"]["value"] == "false"
    assert "champ-tuteur" not in found  # its condition does not hold
    assert found["champ-accord"]["type"] == "checkbox" and 'class="fr-checkbox-group"' in html
    assert found["champ-civilite.1"]["type"] == "radio" and 'class="fr-radio-group"' in html
    assert found["champ-domaine"]["tag"] == "select" and found["champ-domaine"]["class"] == "fr-select"
    assert '<option value="__other__">Autre</option>' in html and found["champ-domaine.__other__"]["tag"] == "input"
    assert found["champ-publics.2"]["type"] == "checkbox" and found["champ-publics.2"]["name"] == "publics"
    assert found["champ-courriel"]["type"] == "email" and found["champ-courriel"]["autocomplete"] == "email"
    assert found["champ-telephone"]["type"] == "tel" and found["champ-telephone"]["autocomplete"] == "tel"
    assert found["champ-adresse"]["tag"] == "fieldset"
    assert [found[f"champ-adresse.{part}"]["name"] for part in ("street", "postcode", "city")] == [
        "adresse.street", "adresse.postcode", "adresse.city",
    ]  # fmt: skip
    assert '<input type="hidden" name="adresse.insee_code" value="">' in html
    assert found["champ-siret"]["inputmode"] == "numeric"
    assert "Format attendu : 2026-000042." in html and found["champ-precedent"]["name"] == "precedent"
    assert 'hx-post="' in html and 'hx-trigger="change" hx-encoding="multipart/form-data"' in html

    page_2 = admin_client.get(page_url(procedure, 2))
    html, found = page_2.content.decode(), elements(page_2)
    assert found["champ-parcelles.0"]["tag"] == "fieldset" and "Parcelles — ligne 1" in html
    assert found["champ-plan"] == {
        "tag": "input", "class": "fr-upload", "type": "file", "id": "champ-plan", "name": "plan", "multiple": None,
        "accept": "image/png,application/pdf",
    }  # fmt: skip
    assert "Formats acceptés : PNG, PDF. Taille maximale : 1 Mo par fichier. Jusqu’à 2 fichiers." in html
    assert 'href="/media/procedures/modele-plan.pdf" download>Télécharger le modèle' in html


def test_posted_answers_are_stored_raw_and_shown_again(admin_client, procedure):
    response = fill_page_1(admin_client, procedure)
    assert response.status_code == 302 and response["Location"] == page_url(procedure, 2)
    assert stored(admin_client, procedure) == {
        "nom": "Martin",
        "presentation": "Ligne un\nLigne deux",
        "age": "42",
        "montant": "1250,5",
        "naissance": "1984-03-02",
        "rendez_vous": "2030-05-06T14:30",
        "majeur": True,
        "accord": True,
        "civilite": "madame",
        "domaine": "Pêche à la ligne",
        "publics": ["enfants", "adultes"],
        "courriel": "claire.martin@exemple.fr",
        "telephone": "06 12 34 56 78",
        "adresse": {"street": "1 place de la Mairie", "postcode": "45000", "city": "Sainte-Croix-en-Val",
                    "insee_code": "45999"},
        "siret": "73282932000074",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "precedent": "2026-000042",
    }  # fmt: skip

    response = admin_client.get(page_url(procedure, 1))
    found = elements(response)
    for name in ("nom", "age", "montant", "naissance", "rendez_vous", "courriel", "siret", "iban", "precedent"):
        assert found[f"champ-{name}"]["value"] == PAGE_1[name], name
    assert "Ligne un\nLigne deux</textarea>" in response.content.decode()
    assert found["champ-double"]["value"] == "2\u202f501\u00a0€"
    assert "checked" in found["champ-majeur.1"] and "checked" not in found["champ-majeur.2"]
    assert "checked" in found["champ-accord"] and "checked" in found["champ-civilite.1"]
    assert '<option value="__other__" selected>Autre</option>' in response.content.decode()
    assert found["champ-domaine.__other__"]["value"] == "Pêche à la ligne"
    assert "checked" in found["champ-publics.1"] and "checked" in found["champ-publics.2"]
    assert found["champ-adresse.city"]["value"] == "Sainte-Croix-en-Val"
    assert 'name="adresse.insee_code" value="45999"' in response.content.decode()

    # Unticking a checkbox and every choice of a multiple choice clears them; other pages are kept.
    admin_client.post(page_url(procedure, 2), {"parcelles.0.section": "AB", "_previous": "1"})
    fill_page_1(admin_client, procedure, accord=None, publics=None, domaine="sport")
    answers = stored(admin_client, procedure)
    assert "accord" not in answers and "publics" not in answers and answers["domaine"] == "sport"
    assert answers["parcelles"] == [{"section": "AB"}]


def test_required_and_format_errors_are_shown_next_to_fields_and_in_a_summary(admin_client, procedure):
    response = fill_page_1(admin_client, procedure, nom="", courriel="pas-un-courriel", majeur=None)
    assert response.status_code == 200
    html, found = response.content.decode(), elements(response)
    assert "<title>Erreur : Votre identité" in html
    summary = found["formengine-erreurs"]
    assert summary["role"] == "alert" and "fr-alert--error" in summary["class"] and "autofocus" in summary
    assert "3 réponses sont à corriger" in html
    assert '<a href="#champ-nom">Nom : Ce champ est obligatoire.</a>' in html
    assert '<a href="#champ-courriel">Courriel : Saisissez une adresse électronique valide' in html
    assert '<a href="#champ-majeur.1">Êtes-vous majeur ? : Ce champ est obligatoire.</a>' in html
    assert found["champ-nom"]["aria-invalid"] == "true" and found["champ-nom"]["aria-describedby"] == "champ-nom.erreur"
    assert found["champ-nom.erreur"] == {"tag": "p", "id": "champ-nom.erreur", "class": "fr-error-text"}
    assert 'class="fr-input-group fr-input-group--error"' in html
    assert found["champ-courriel"]["value"] == "pas-un-courriel"  # what was typed is kept
    assert "fr-fieldset--error" in found["champ-majeur"]["class"]
    assert found["champ-majeur"]["aria-labelledby"] == "champ-majeur.legende champ-majeur.erreur"


def test_conditions_show_fields_on_the_next_rendering_without_javascript(admin_client, procedure):
    response = fill_page_1(admin_client, procedure, majeur="false")
    # The answer reveals a question on this page: it is shown before going on, without "obligatoire".
    assert response.status_code == 200
    html = response.content.decode()
    assert "champ-tuteur" in elements(response) and "Vos réponses font apparaître de nouvelles questions" in html
    assert "Ce champ est obligatoire" not in html
    assert "Étape 1 sur 2" in html  # the "profession" page is for adults only

    response = fill_page_1(admin_client, procedure, majeur="false")
    assert '<a href="#champ-tuteur">Nom du tuteur : Ce champ est obligatoire.</a>' in response.content.decode()
    response = fill_page_1(admin_client, procedure, majeur="false", tuteur="Paul Martin")
    assert response["Location"] == page_url(procedure, 2)

    # Becoming an adult hides the tutor and shows the third page; the hidden answer is kept but unused.
    fill_page_1(admin_client, procedure, majeur="true", tuteur="Paul Martin")
    assert stored(admin_client, procedure)["tuteur"] == "Paul Martin"
    response = admin_client.get(page_url(procedure, 2))
    assert "Étape 2 sur 3" in response.content.decode() and "Étape suivante :</span> Votre profession" in (
        response.content.decode()
    )
    summary = admin_client.get(summary_url(procedure)).content.decode()
    assert "Paul Martin" not in summary and "Nom du tuteur" not in summary
    assert "Votre profession" in summary and "Métier" in summary


def test_the_htmx_refresh_returns_the_fields_with_conditions_and_formulas_evaluated(admin_client, procedure):
    response = admin_client.post(
        page_url(procedure, 1),
        {"_refresh": "1", "majeur": "false", "montant": "12,5", "courriel": "faux"},
        HTTP_HX_REQUEST="true",
    )
    html, found = response.content.decode(), elements(response)
    assert html.lstrip().startswith('<div id="formengine-fields">') and "<html" not in html
    assert "champ-tuteur" in found
    assert found["champ-double"]["value"] == "25\u00a0€"
    assert "Ce champ est obligatoire" not in html  # the untouched required fields are not reproached
    assert found["champ-courriel.erreur"]["class"] == "fr-error-text"  # a wrong format is
    assert stored(admin_client, procedure)["majeur"] is False  # the answers are kept as they are typed

    response = admin_client.post(page_url(procedure, 1), {"_refresh": "1", "majeur": "true"}, HTTP_HX_REQUEST="true")
    assert "champ-tuteur" not in elements(response) and elements(response)["champ-double"]["value"] == ""


def test_block_rows_are_added_and_removed_without_javascript(admin_client, procedure):
    url = page_url(procedure, 2)
    html = admin_client.get(url).content.decode()
    assert "Parcelles — ligne 1" in html and "Supprimer cette ligne" not in html  # min_rows is 1

    response = admin_client.post(
        url, {"parcelles.0.section": "AB", "parcelles.0.surface": "120", "_add_row": "parcelles"}
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#champ-parcelles.1"
    response = admin_client.get(url)
    html, found = response.content.decode(), elements(response)
    assert found["champ-parcelles.0.section"]["value"] == "AB" and found["champ-parcelles.1.section"]["value"] == ""
    assert "Parcelles — ligne 2" in html and "Ajouter une ligne" not in html  # max_rows is 2
    assert html.count('name="_remove_row"') == 2

    admin_client.post(url, {"parcelles.0.section": "AB", "parcelles.1.section": "ZC", "_remove_row": "parcelles.0"})
    assert stored(admin_client, procedure)["parcelles"] == [{"section": "ZC"}]
    admin_client.post(url, {"parcelles.0.section": "ZC", "_remove_row": "parcelles.0"})
    assert stored(admin_client, procedure)["parcelles"] == [{"section": "ZC"}]  # not below min_rows

    response = admin_client.post(url, {"parcelles.0.section": "zz", "parcelles.0.surface": "grand"})
    html = response.content.decode()
    assert '<a href="#champ-parcelles.0.surface">Surface (Parcelles, ligne 1) : Saisissez un nombre entier' in html
    assert elements(response)["champ-parcelles.0.surface"]["aria-invalid"] == "true"


def test_a_file_is_described_by_its_content_and_can_be_removed(admin_client, procedure):
    url = page_url(procedure, 2)
    disguised = SimpleUploadedFile("plan.pdf", png_bytes(), content_type="application/pdf")
    response = admin_client.post(url, {"parcelles.0.section": "AB", "plan": disguised, "_add_row": "parcelles"})
    assert response.status_code == 302
    [described] = stored(admin_client, procedure)["plan"]
    assert described == {"name": "plan.pdf", "size": len(png_bytes()), "content_type": "image/png"}
    html = admin_client.get(url).content.decode()
    assert f"plan.pdf ({len(png_bytes())}\u00a0octets)" in html
    assert '<button type="submit" name="_remove_file" value="plan.0"' in html

    text = SimpleUploadedFile("photo.png", b"Ceci n'est pas une image.\n", content_type="image/png")
    response = admin_client.post(url, {"parcelles.0.section": "AB", "parcelles.1.section": "ZC", "plan": text})
    # Refused on the spot, at its question; the file already there stays, the refused one is not kept.
    assert response.status_code == 200
    assert "Le fichier « photo.png » n’est pas d’un type accepté" in response.content.decode()
    assert [item["content_type"] for item in stored(admin_client, procedure)["plan"]] == ["image/png"]
    response = admin_client.post(url, {"parcelles.0.section": "AB", "parcelles.1.section": "ZC"})
    assert response["Location"] == summary_url(procedure)

    admin_client.post(url, {"parcelles.0.section": "AB", "parcelles.1.section": "ZC", "_remove_file": "plan.0"})
    assert "plan" not in stored(admin_client, procedure)


def test_the_summary_shows_answers_in_plain_french_with_links_to_change_them(admin_client, procedure):
    fill_page_1(admin_client, procedure)
    admin_client.post(
        page_url(procedure, 2),
        {
            "parcelles.0.section": "AB",
            "parcelles.0.surface": "1200",
            "plan": SimpleUploadedFile("plan.png", png_bytes()),
        },
    )
    admin_client.post(page_url(procedure, 3), {"metier": "Géomètre"})
    html = admin_client.get(summary_url(procedure)).content.decode()
    for text in (
        "02/03/1984",
        "06/05/2030 à 14\u00a0h\u00a030",
        "42\u00a0ans",
        "1\u202f250,5\u00a0€",
        "2\u202f501\u00a0€",
        "Autre : Pêche à la ligne",
        "Madame",
        "Enfants<br>Adultes",
        "1 place de la Mairie<br>45000 Sainte-Croix-en-Val",
        "06 12 34 56 78",
        "732 829 320 00074",
        "FR76 3000 6000 0112 3456 7890 189",
        "Ligne un<br>Ligne deux",
        "Ligne 1",
        "1\u202f200\u00a0m²",
        f"plan.png ({len(png_bytes())}\u00a0octets)",
        "Géomètre",
        f'href="{page_url(procedure, 2)}">Modifier<span class="fr-sr-only"> : Le terrain</span>',
    ):
        assert text in html, text
    assert '<dt class="fr-text--bold">Êtes-vous majeur ?</dt> <dd class="fr-ml-0 fr-mb-2w"> Oui' in squeezed(html)
    assert "à compléter" not in html and "Vous-même" in html  # a section heads its answers

    response = admin_client.post(summary_url(procedure), follow=True)
    assert "Dans l’aperçu, le dossier n’est pas déposé : tout est valide." in response.content.decode()


def test_eligibility_and_missing_answers_block_the_submission(admin_client, procedure):
    fill_page_1(admin_client, procedure, age="15", nom="")
    html = admin_client.get(summary_url(procedure)).content.decode()
    assert "Votre demande ne peut pas être déposée" in html
    assert "Cette démarche est réservée aux personnes de 16 ans et plus." in html
    assert f'<a href="{page_url(procedure, 1)}#champ-nom">Nom : Ce champ est obligatoire.</a>' in html
    assert f'<a href="{page_url(procedure, 3)}#champ-metier">Métier : Ce champ est obligatoire.</a>' in html

    response = admin_client.post(summary_url(procedure), follow=True)
    html = response.content.decode()
    assert "la demande n’est pas recevable" in html and "tout est valide" not in html
