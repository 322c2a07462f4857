import pytest
from django.urls import reverse

from guichet.demo.procedures import PROCEDURES
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_home_lists_the_demo_procedures(client, demo):
    response = client.get(reverse("public:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert 'href="#contenu"' in html  # skip link
    assert f"{len(PROCEDURES)} démarches en ligne" in html
    for procedure in PROCEDURES:
        assert procedure.title in html
        assert reverse("public:procedure_detail", args=[procedure.slug]) in html


def test_home_shows_only_published_procedures(client):
    ProcedureFactory(title="Démarche ouverte")
    ProcedureFactory(title="Démarche en préparation", status="draft")
    html = client.get(reverse("public:home")).content.decode()
    assert "Démarche ouverte" in html
    assert "Démarche en préparation" not in html


def test_procedure_page_describes_the_procedure(client, demo):
    demo_procedure = PROCEDURES[1]
    response = client.get(reverse("public:procedure_detail", args=[demo_procedure.slug]))
    assert response.status_code == 200
    assert demo_procedure.title in response.content.decode()
    assert f"{demo_procedure.processing_days} jours" in response.content.decode()


def test_the_procedure_page_says_what_to_prepare_and_what_silence_means(client, demo):
    html = client.get(reverse("public:procedure_detail", args=[PROCEDURES[0].slug])).content.decode()
    assert "Avant de commencer, préparez" in html
    assert "<li>les plans de l’état existant et du projet ;</li>" in html
    assert "le silence vaut accord" in html


def test_the_procedure_page_gives_the_usual_delay_from_real_decisions(client):
    from datetime import timedelta

    from guichet.dossiers.models import Dossier
    from tests.factories import DossierFactory

    procedure = ProcedureFactory(processing_days=60)
    url = reverse("public:procedure_detail", args=[procedure.slug])
    assert "En pratique" not in client.get(url).content.decode()
    for days in (3, 10, 40):
        dossier = DossierFactory(procedure=procedure, accepted=True)
        Dossier.objects.filter(pk=dossier.pk).update(decided_at=dossier.submitted_at + timedelta(days=days))
    DossierFactory(procedure=procedure, in_instruction=True)  # not decided: not counted
    html = client.get(url).content.decode()
    assert "la moitié des dossiers reçoivent une décision en 10 jours ou moins" in html
    assert "les 3 dernières décisions" in html


def test_a_draft_procedure_is_not_public(client):
    draft = ProcedureFactory(status="draft")
    assert client.get(reverse("public:procedure_detail", args=[draft.slug])).status_code == 404


def test_the_catalogue_is_searched_by_keyword_and_filtered_by_administration(client, demo):
    html = client.get(reverse("public:home"), {"q": "naissance acte"}).content.decode()
    assert "1 démarche trouvée" in html and "Demande de copie intégrale" in html
    html = client.get(reverse("public:home"), {"organisation": "ministere-culture"}).content.decode()
    assert "1 démarche trouvée" in html and "monuments historiques" in html  # its directorate's procedure
    html = client.get(reverse("public:home"), {"q": "introuvable"}).content.decode()
    assert "Aucune démarche ne correspond à votre recherche." in html


def test_the_catalogue_costs_one_query(client, demo, django_assert_num_queries):
    client.get(reverse("public:home"))  # sessions, templates warmed up
    with django_assert_num_queries(1):
        client.get(reverse("public:home"))
