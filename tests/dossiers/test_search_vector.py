"""The search vector that the filing writes is, word for word, the one Django's SearchVector
expressions make (dossiers/search.py writes it as a fixed SQL text, built once)."""

import pytest
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value

from guichet.dossiers.models import Dossier, DossierState
from guichet.dossiers.search import (
    CONFIG,
    accents_fold,
    dossier_search_head,
    dossier_search_vector,
    identity_search_words,
)
from tests.factories import DossierFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text search"),
]


def test_the_written_vector_is_the_one_of_djangos_search_vectors():
    dossier = DossierFactory(target_state=str(DossierState.SUBMITTED))
    identity = {"given_name": "Hélène", "family_name": "Lefèvre", "email": "helene@exemple.fr"}
    answers = "Sainte-Croix-en-Val\nÉcole élémentaire, 12 rue des Écoles"
    ours = dossier_search_vector(number="2026-000042", identity=identity, answers_text=answers)
    head = dossier_search_head(number="2026-000042", identity_words=identity_search_words(identity))
    django = SearchVector(Value(head), config=CONFIG) + SearchVector(Value(accents_fold(answers)), config=CONFIG)

    row = Dossier.objects.filter(pk=dossier.pk).annotate(ours=ours, django=django).values("ours", "django").get()
    assert row["ours"] == row["django"]
    assert "lefevr" in row["ours"]


def test_a_filed_dossier_has_its_vector_written_by_the_filing():
    dossier = DossierFactory(target_state=str(DossierState.SUBMITTED))
    stored = Dossier.objects.filter(pk=dossier.pk).values_list("search_vector", flat=True).get()
    assert dossier.number.split("-")[1] in stored
