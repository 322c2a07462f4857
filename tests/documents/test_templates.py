"""Act templates: a template error is caught when the administrator saves, with its line, never
when an act is generated; the preview and the specimen show the text on a sample dossier."""

import pytest
from django.urls import reverse

from guichet.core.models import AuditEvent
from guichet.documents.models import ActTemplate
from guichet.documents.services import act_template_save
from guichet.documents.templating import TemplateInvalid, template_html
from guichet.dossiers.models import ActKind
from tests.documents.conftest import pdf_of, pdf_text
from tests.factories import UserFactory

GOOD = """Madame, Monsieur {{ usager.nom_complet }},

Votre dossier n°{{ dossier.numero }} est **accepté**.
Objet : {{ reponse("objet") }}
{% if decision.motivation %}Motif : {{ decision.motivation }}{% endif %}
"""


def save(procedure, administrator, body, kind=ActKind.ACCEPTANCE):
    return act_template_save(actor=administrator, procedure=procedure, kind=kind, title="Arrêté", body=body)


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("Bonjour,\n\nDossier {{ dossier.nmuero }}\n", 3, "dossier.nmuero"),
        ("Bonjour {{ usagre.nom }}\n", 1, "vouliez-vous dire « usager »"),
        ('Un\nDeux\n{{ reponse("surface") }}\n', 3, "pas de champ « surface »"),
        ("Un\n{% if dossier.numero %}\nsans fin\n", 2, "n’est pas fermé"),  # the line of the block left open
        ("Un\nDeux {{ dossier.numero }\n", 2, "erreur de syntaxe"),
        ('{% include "autre.html" %}\n', 1, "inclure ou importer"),
        ("Un\n{{ dossier.numero.__class__ }}\n", 2, "opération non permise"),
        ("Un\nDeux\n{{ dossier.numero + 1 }}\n", 3, "TypeError"),
    ],
)
def test_a_template_error_is_reported_at_save_time_with_its_line(procedure, administrator, body, line, words):
    with pytest.raises(TemplateInvalid) as caught:
        save(procedure, administrator, body)
    (problem,) = caught.value.problems
    assert problem.line == line and words in problem.message
    assert not ActTemplate.objects.exists()


@pytest.mark.slow
def test_a_good_template_is_saved_audited_and_used_by_the_next_act(procedure, administrator, draft, submit, decide):
    save(procedure, administrator, GOOD)
    assert AuditEvent.objects.filter(action="act_template.save", actor=administrator).exists()
    submit(draft)
    act = decide(draft, motivation="Conforme.")
    text = pdf_text(pdf_of(act))
    assert f"Votre dossier n°{draft.number} est accepté" in text and "Objet : Un pied d’arbre rue des Lilas" in text
    assert "Motif : Conforme." in text and act.title == "Arrêté"


def test_answers_cannot_format_or_link_anything():
    context = {"usager": {"nom": "**Gras** [lien](https://exemple.fr) <script>x</script>"}}
    html = template_html("Nom : {{ usager.nom }}", context)
    assert "<strong>" not in html and "<a " not in html and "<script>" not in html
    assert "**Gras** [lien](https://exemple.fr) &lt;script&gt;x&lt;/script&gt;" in html


def test_the_administrator_edits_previews_and_gets_a_specimen(client, procedure, administrator):
    client.force_login(administrator)
    url = reverse("admin_procedures:act_edit", args=[procedure.slug, "acceptation"])
    page = client.get(url)
    assert page.status_code == 200 and "Texte par défaut" in page.content.decode()
    assert "Camille Exemple" in page.content.decode()  # the default text, on the sample dossier
    data = {"title": "Arrêté", "body": "Un\n{{ dossier.nmuero }}\n", "signatory_name": "", "signatory_title": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Ligne 2" in response.content.decode() and "dossier.nmuero" in response.content.decode()
    response = client.post(url, {**data, "body": GOOD, "signatory_name": "Marie Curie", "signatory_title": "Maire"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Votre dossier n°" in page and "<strong>accepté</strong>" in page and "[Objet de la demande]" in page
    specimen = client.get(reverse("admin_procedures:act_specimen", args=[procedure.slug, "acceptation"]))
    assert specimen["Content-Type"] == "application/pdf"
    text = pdf_text(specimen.content)
    assert "SPÉCIMEN" in text and "Marie Curie" in text and "Maire" in text
    assert "Actes" in client.get(reverse("admin_procedures:acts", args=[procedure.slug])).content.decode()


def test_someone_else_cannot_edit_the_templates(client, procedure):
    client.force_login(UserFactory())
    response = client.get(reverse("admin_procedures:act_edit", args=[procedure.slug, "refus"]))
    assert response.status_code == 403
