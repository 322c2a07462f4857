"""The demonstration's prefilled SIRET (`make run`): the association grant's SIRET field fills the
legal form, the activity and the establishment's state from the demo's recorded API Entreprise, with
the town hall's demonstration access, and the page says where the data comes from."""

import uuid

import pytest
from django.urls import reverse

from guichet.accounts.models import DataSourceAccess, User
from guichet.demo.integrations import DEMO_SIRETS
from guichet.dossiers.models import Dossier, SourcedValue

SLUG = "subvention-fonctionnement-association"


@pytest.mark.slow
def test_the_demo_association_grant_prefills_its_siret(client, demo, settings):
    settings.GUICHET_DATA_SOURCES_DEMO = True  # as config/settings/dev.py says
    town = DataSourceAccess.objects.get(provider="api_entreprise").organisation
    assert town.slug == "mairie-sainte-croix-en-val"
    applicant = User.objects.get(email="karim.benali@demo.guichet.fr")
    client.force_login(applicant)
    client.post(reverse("usager:dossier_start", args=[SLUG]), {"cle": str(uuid.uuid4())})
    dossier = Dossier.objects.filter(applicant=applicant, procedure__slug=SLUG).latest("pk")
    siret = next(iter(DEMO_SIRETS))
    response = client.post(reverse("usager:dossier_page", args=[dossier.pk, 1]), {"siret": siret, "_source": "siret"})
    page = client.get(response["Location"]).content.decode()
    assert "9220 – Association déclarée" in page and "93.12Z – Activités de clubs de sports" in page
    assert "Donnée issue d’API Entreprise, le " in page
    assert SourcedValue.objects.filter(dossier=dossier, outcome="certified").count() == 3
