"""The back office benchmark's dossiers are dossiers the platform could have filed: answers that
their form accepts, numbers in sequence, a snapshot and a transition log, and a search vector the
same as the services write."""

import random
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench.backoffice_data import PROCEDURE_SHARES, answers_pool, dossiers_generate
from guichet.core.models import Sequence
from guichet.demo.answers import REFERENCE_DATE
from guichet.demo.procedures import PROCEDURES
from guichet.dossiers.models import Dossier, DossierSnapshot, DossierState, TransitionLog
from guichet.dossiers.search import answers_search_text, dossier_search_vector
from guichet.procedures.answers import answers_clean
from guichet.procedures.definition import definition_validate
from guichet.procedures.selectors import version_form

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generator writes with PostgreSQL's COPY"
)


@pytest.mark.parametrize("demo_procedure", PROCEDURES, ids=lambda procedure: procedure.slug)
def test_the_answers_drawn_pass_the_forms_validation(demo_procedure):
    assert demo_procedure.slug in PROCEDURE_SHARES
    form = definition_validate(demo_procedure.definition)
    for answers in answers_pool(demo_procedure.definition, 40, random.Random(7)):  # noqa: S311 (test data)
        cleaned = answers_clean(form, answers, today=REFERENCE_DATE, own_dossiers=())
        assert cleaned.is_valid, (cleaned.errors, cleaned.ineligible)


@postgresql_only
def test_the_generated_dossiers_are_filed_dossiers(demo, client):
    before = Dossier.objects.exclude(state=DossierState.DRAFT).count()
    report = dossiers_generate(300, seed=3)
    generated = Dossier.objects.exclude(state=DossierState.DRAFT).order_by("pk")[before:]
    assert report.dossiers == 300 and len(generated) == 300

    # Answers valid for the version they were filed with, as the submission checked them.
    for dossier in generated:
        cleaned = answers_clean(version_form(dossier.version_id), dossier.answers, today=REFERENCE_DATE)
        assert cleaned.is_valid, (dossier.number, cleaned.errors)
        assert dossier.group.procedure_id == dossier.procedure_id
        assert dossier.identity["family_name"] == dossier.applicant.last_name

    # Numbers of their year, never twice, and the counters past them: the next filing follows.
    numbers = Dossier.objects.exclude(number=None).values_list("number", flat=True)
    assert len(set(numbers)) == len(numbers)
    for dossier in generated:
        year, counter = dossier.number.split("-")
        assert re.fullmatch(r"\d{6}", counter) and int(year) == timezone.localtime(dossier.submitted_at).year
        assert Sequence.objects.get(name=f"dossier-{year}").last_value >= int(counter)

    # One submission snapshot, and a transition log that ends in the dossier's state.
    ids = [dossier.pk for dossier in generated]
    assert DossierSnapshot.objects.filter(dossier_id__in=ids, kind="submission").count() == 300
    for dossier in generated[:50]:
        logs = list(TransitionLog.objects.filter(dossier=dossier).order_by("at"))
        assert logs[0].transition == "submit" and logs[-1].to_state == dossier.state
    states = {dossier.state for dossier in generated}
    assert {DossierState.SUBMITTED, DossierState.ACCEPTED, DossierState.IN_INSTRUCTION} <= states
    assert any(dossier.archived_at for dossier in generated)

    # The search vector is the one the services write.
    dossier = generated[0]
    text = answers_search_text(version_form(dossier.version_id), dossier.answers)
    expected = dossier_search_vector(number=dossier.number, identity=dossier.identity, answers_text=text)
    stored, computed = (
        Dossier.objects.filter(pk=dossier.pk).annotate(computed=expected).values_list("search_vector", "computed").get()
    )
    assert stored == computed

    # And the instructor of its group finds it by its applicant's name.
    shown = next(dossier for dossier in generated if dossier.group.is_default and dossier.archived_at is None)
    client.force_login(shown.group.members.first())
    page = client.get(
        reverse("agent:dossier_list", args=[shown.procedure.slug]),
        {"onglet": "tous", "q": f"{shown.identity['family_name']} {shown.identity['given_name']}"},
    )
    assert f"n°{shown.number}<" in page.content.decode()
