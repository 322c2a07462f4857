"""The instructors' back office through HTTP: who sees what, the lists, a dossier's page and the
decisions, follow and put aside."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import Dossier, DossierState, TransitionLog, TransitionName
from guichet.dossiers.services import dossier_answers_save, dossier_corrections_submit
from guichet.dossiers.workflow import dossier_transition
from guichet.instruction.lists import PAGE_SIZE
from guichet.instruction.models import BulkAction, ExpertInvitation
from guichet.procedures.models import InstructorGroup, InstructorMembership
from tests.factories import DossierFactory, ProcedureFactory, UserFactory, instructor_of
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()


@pytest.fixture
def procedure():
    return ProcedureFactory(title="Aide au permis de conduire", slug="aide-permis")


@pytest.fixture
def groups(procedure):
    """Two groups: the default one (A) and another (B), with one instructor each."""
    group_a = procedure.instructor_groups.get(is_default=True)
    group_b = InstructorGroup.objects.create(procedure=procedure, name="Groupe B")
    alice, bob = UserFactory(email="alice@instruction.fr"), UserFactory(email="bob@instruction.fr")
    InstructorMembership.objects.create(group=group_a, user=alice)
    InstructorMembership.objects.create(group=group_b, user=bob)
    return {"a": group_a, "b": group_b, "alice": alice, "bob": bob}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """A POST whose after-commit work (the emails) runs, as it does outside a test's transaction."""

    def send(url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return send


def dossier_in(procedure, group, **traits):
    dossier = DossierFactory(procedure=procedure, **traits)
    if dossier.group_id != group.pk:
        type(dossier).objects.filter(pk=dossier.pk).update(group=group)
        dossier.refresh_from_db()
    return dossier


def test_each_role_reaches_only_what_it_may(client, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], submitted=True)
    stored = dossier.files.create(
        content=__import__("django.core.files.base", fromlist=["ContentFile"]).ContentFile(PDF, name="x.pdf"),
        name="piece.pdf",
        size=len(PDF),
        content_type="application/pdf",
        sha256="0" * 64,
        uploaded_by=dossier.applicant,
    )
    expert = UserFactory()
    ExpertInvitation.objects.create(dossier=dossier, expert=expert, invited_by=groups["alice"], question="Avis ?")
    administrator = UserFactory(is_staff=True)
    reads = [
        reverse("agent:procedures"),
        reverse("agent:dossier_list", args=[procedure.slug]),
        reverse("agent:dossier_detail", args=[dossier.pk]),
        reverse("agent:dossier_file", args=[dossier.pk, stored.key]),
    ]
    writes = [
        (reverse("agent:dossier_decision", args=[dossier.pk]), {"decision": "start_instruction"}),
        (reverse("agent:dossier_follow", args=[dossier.pk]), {}),
        (reverse("agent:dossier_put_aside", args=[dossier.pk]), {}),
        (reverse("agent:dossier_message", args=[dossier.pk]), {"body": "Bonjour"}),
    ]
    # Anonymous: asked to sign in.
    for url in reads:
        assert client.get(url)["Location"].startswith(reverse("accounts:login")), url
    # The applicant, an expert, an administrator without a group: not an instructor.
    for person in (dossier.applicant, expert, administrator):
        client.force_login(person)
        for url in reads:
            assert client.get(url).status_code == 403, (person, url)
        for url, data in writes:
            assert client.post(url, data).status_code == 403, (person, url)
    # Bob, instructor of group B only: the procedure is his, this dossier is not.
    client.force_login(groups["bob"])
    assert client.get(reads[1]).status_code == 200
    for url in reads[2:]:
        assert client.get(url).status_code == 404, url
    for url, data in writes:
        assert client.post(url, data).status_code == 404, url
    assert dossier.follows.count() == 0 and not dossier.messages.exists()
    # Alice, instructor of group A: everything.
    client.force_login(groups["alice"])
    for url in reads:
        assert client.get(url).status_code == 200, url
    # A procedure in which she has no group answers 404.
    other = ProcedureFactory()
    assert client.get(reverse("agent:dossier_list", args=[other.slug])).status_code == 404


def test_every_form_refuses_a_post_without_its_csrf_token(procedure, groups):
    from django.test import Client

    dossier = dossier_in(procedure, groups["a"], submitted=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(groups["alice"])
    for name in ("agent:dossier_decision", "agent:dossier_follow", "agent:dossier_put_aside", "agent:dossier_message"):
        assert client.post(reverse(name, args=[dossier.pk]), {}).status_code == 403, name


def test_the_tabs_count_and_list_the_dossiers_of_the_instructors_groups(client, procedure, groups):
    new = dossier_in(procedure, groups["a"], submitted=True)
    started = dossier_in(procedure, groups["a"], in_instruction=True)
    accepted = dossier_in(procedure, groups["a"], accepted=True)
    hidden = dossier_in(procedure, groups["b"], submitted=True)
    DossierFactory(procedure=procedure)  # a draft: never in the back office
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])

    page = client.get(url).content.decode()
    assert "À traiter (1)" in page and "Traités (1)" in page and "Tous (3)" in page and "Suivis (0)" in page
    assert f"n°{new.number}" in page and f"n°{started.number}" not in page and f"n°{hidden.number}" not in page

    page = client.get(url, {"onglet": "tous"}).content.decode()
    assert all(f"n°{d.number}" in page for d in (new, started, accepted)) and f"n°{hidden.number}" not in page

    client.post(reverse("agent:dossier_follow", args=[started.pk]))
    page = client.get(url, {"onglet": "suivis"}).content.decode()
    assert "Suivis (1)" in page and f"n°{started.number}" in page and f"n°{new.number}" not in page

    response = client.post(reverse("agent:dossier_put_aside", args=[accepted.pk]), follow=True)
    assert "Dossier mis de côté" in response.content.decode()
    page = client.get(url, {"onglet": "mis-de-cote"}).content.decode()
    assert "Mis de côté (1)" in page and f"n°{accepted.number}" in page and "Tous (2)" in page
    # « Archivé » means transferred to the archives: the instructors' lists no longer use the word.
    assert "Archiv" not in page and "archivé" not in page
    # A bookmark of the tab's former address still leads to it.
    assert "Mis de côté (1)" in client.get(url, {"onglet": "archives"}).content.decode()
    detail = client.get(reverse("agent:dossier_detail", args=[accepted.pk])).content.decode()
    assert "Remettre dans la liste" in detail and "— mis de côté." in detail
    client.post(reverse("agent:dossier_put_aside", args=[accepted.pk]), {"de_cote": "0"})
    assert "Mis de côté (0)" in client.get(url, {"onglet": "mis-de-cote"}).content.decode()


def test_search_and_filters_narrow_the_list_and_bad_values_are_ignored(client, procedure, groups):
    durand = dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "Permis poids lourd"})
    martin = dossier_in(procedure, groups["a"], in_instruction=True, answers={"objet": "Permis moto"})
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])

    page = client.get(url, {"onglet": "tous", "q": "lourd"}).content.decode()
    assert f"n°{durand.number}" in page and f"n°{martin.number}" not in page
    page = client.get(url, {"onglet": "tous", "q": martin.number}).content.decode()
    assert f"n°{martin.number}" in page and f"n°{durand.number}" not in page
    page = client.get(url, {"onglet": "tous", "etat": "in_instruction"}).content.decode()
    assert f"n°{martin.number}" in page and f"n°{durand.number}" not in page

    response = client.get(url, {"onglet": "nimporte", "etat": "faux", "groupe": "abc", "apres": "x"})
    assert response.status_code == 200
    assert "Certains filtres n’étaient pas valides" in response.content.decode()


LICENCE_DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "objet", "type": "text", "label": "Objet de la demande", "required": True},
                {
                    "id": "categorie",
                    "type": "choice",
                    "label": "Catégorie de permis",
                    "options": [{"value": "moto", "label": "Moto"}, {"value": "poids_lourd", "label": "Poids lourd"}],
                },
                {"id": "accompagnee", "type": "yes_no", "label": "Conduite accompagnée"},
                {
                    "id": "equipements",
                    "type": "multiple_choice",
                    "label": "Équipements",
                    "options": [{"value": "casque", "label": "Casque"}, {"value": "gants", "label": "Gants"}],
                },
                {"id": "domicile", "type": "address", "label": "Domicile"},
            ],
        }
    ]
}


def _numbers_listed(client, url, **query):
    response = client.get(url, {"onglet": "tous", **query})
    assert response.status_code == 200
    page = response.content.decode()
    return page, {number for number in re.findall(r"n°(\d{4}-\d{6})<", page)}


def test_a_list_filtered_on_an_answer_shows_only_the_dossiers_with_that_answer(client, groups):
    procedure = ProcedureFactory(draft_definition=LICENCE_DEFINITION)
    InstructorMembership.objects.create(group=procedure.instructor_groups.get(is_default=True), user=groups["alice"])
    home = {"street": "1 rue de la Paix", "postcode": "45000", "city": "Orléans", "insee_code": "45234"}
    truck = DossierFactory(
        procedure=procedure,
        submitted=True,
        answers={
            "objet": "Permis",
            "categorie": "poids_lourd",
            "accompagnee": True,
            "equipements": ["casque", "gants"],
        },
    )
    bike = DossierFactory(
        procedure=procedure,
        in_instruction=True,
        answers={
            "objet": "Permis",
            "categorie": "moto",
            "accompagnee": False,
            "equipements": ["casque"],
            "domicile": home,
        },
    )
    unanswered = DossierFactory(procedure=procedure, submitted=True, answers={"objet": "Permis"})
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])

    # An option by its label or its code, a yes/no, one option of a multiple choice, an address's town.
    for field, value, expected in [
        ("categorie", "Poids lourd", {truck}),
        ("categorie", "moto", {bike}),
        ("accompagnee", "non", {bike}),
        ("accompagnee", "Oui", {truck}),
        ("equipements", "gants", {truck}),
        ("equipements", "Casque", {truck, bike}),
        ("domicile", "Orléans", {bike}),
    ]:
        page, listed = _numbers_listed(client, url, champ=field, valeur=value)
        assert listed == {d.number for d in expected}, (field, value, listed)
    assert unanswered.number in _numbers_listed(client, url)[1]

    # The filter stays on in the tabs' links and in the other tab.
    page, listed = _numbers_listed(client, url, champ="categorie", valeur="moto")
    assert "champ=categorie&amp;valeur=moto" in page
    response = client.get(url, {"onglet": "a-traiter", "champ": "categorie", "valeur": "moto"})
    assert bike.number not in response.content.decode()  # in instruction: not « à traiter »

    # An answer that the question cannot have: said next to the field, the list unfiltered.
    page, listed = _numbers_listed(client, url, champ="categorie", valeur="Vélo")
    assert "« Vélo » n’est pas une réponse possible à « Catégorie de permis »" in page
    assert listed == {truck.number, bike.number, unanswered.number}


def test_the_search_finds_dossiers_by_number_names_and_answers(client, procedure, groups):
    helene = UserFactory(first_name="Hélène", last_name="Lefèvre", email="h.lefevre@exemple.fr")
    roof = dossier_in(
        procedure, groups["a"], applicant=helene, accepted=True, answers={"objet": "Réfection de toiture"}
    )
    other = dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "Clôture du jardin"})
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])

    for text, expected in [
        ("Lefèvre", {roof}),
        ("Hélène toiture", {roof}),  # every word, wherever it is
        ("toiture jardin", set()),
        (other.number, {other}),
        ("h.lefevre@exemple.fr", {roof}),
        ("Clôture", {other}),
    ]:
        assert _numbers_listed(client, url, q=text)[1] == {d.number for d in expected}, text
    if connection.vendor == "postgresql":
        # The full-text search: accents ignored, French words by their stem, a number by its counter.
        for text, expected in [("lefevre", {roof}), ("toitures", {roof}), (other.number.split("-")[1], {other})]:
            assert _numbers_listed(client, url, q=text)[1] == {d.number for d in expected}, text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans and statement timeout")
def test_a_search_too_slow_with_the_planners_plan_is_answered_from_the_search_index(client, procedure, groups):
    roof = dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "Réfection de toiture"})
    dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "Clôture du jardin"})
    client.force_login(groups["alice"])
    canceled = []

    class QueryCanceled(Exception):
        sqlstate = "57014"

    def cancel_the_first_list(execute, sql, params, many, context):
        if not canceled and sql.startswith('SELECT "dossiers_dossier"') and "LIMIT 51" in sql:
            canceled.append(sql)
            raise OperationalError("canceling statement due to statement timeout") from QueryCanceled()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cancel_the_first_list):
        listed = _numbers_listed(client, reverse("agent:dossier_list", args=[procedure.slug]), q="toiture")[1]
    assert canceled and listed == {roof.number}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans and statement timeout")
def test_a_list_filtered_on_an_answer_walks_the_list_in_order_then_asks_the_index(client, procedure, groups):
    roof = dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "Toiture"})
    dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "Clôture"})
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])
    statements = []

    class QueryCanceled(Exception):
        sqlstate = "57014"

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert _numbers_listed(client, url, champ="objet", valeur="Toiture")[1] == {roof.number}
    assert "SET LOCAL enable_bitmapscan = off" in statements  # in the list's order first
    assert not any("enable_indexscan" in sql for sql in statements)

    def cancel_the_walk(execute, sql, params, many, context):
        statements.append(sql)
        if "enable_indexscan" not in " ".join(statements) and sql.startswith('SELECT "dossiers_dossier"'):
            if "LIMIT 51" in sql:
                raise OperationalError("canceling statement due to statement timeout") from QueryCanceled()
        return execute(sql, params, many, context)

    statements.clear()
    with connection.execute_wrapper(cancel_the_walk):
        assert _numbers_listed(client, url, champ="objet", valeur="Toiture")[1] == {roof.number}
    assert "SET LOCAL enable_indexscan = off" in statements  # then from the answers' index


@pytest.mark.parametrize("by_periods", [False, True], ids=["as-planned", "by-periods"])
def test_a_search_lists_the_latest_matches_first_page_after_page(client, procedure, groups, monkeypatch, by_periods):
    """On PostgreSQL a search whose matches PostgreSQL would all read to sort them looks in the
    latest week, then month, then everywhere (search.SEARCH_PERIODS): the pages must be those
    of a plain sort all the same, without gaps, repeats or dossiers of other groups."""
    monkeypatch.setattr("guichet.instruction.selectors.PAGE_SIZE", 3)
    monkeypatch.setattr("guichet.instruction.search.PAGE_SIZE", 3)
    if by_periods:  # the plan PostgreSQL chooses over a million dossiers, not over these few
        monkeypatch.setattr("guichet.instruction.search._planned_scan", lambda dossiers: ("Bitmap Heap Scan", 1e3))
    now = timezone.now()

    def filed(group, days, objet="Réfection de toiture", **traits):
        dossier = dossier_in(procedure, group, submitted=True, answers={"objet": objet}, **traits)
        Dossier.objects.filter(pk=dossier.pk).update(submitted_at=now - timedelta(days=days))
        return dossier

    # Four in the latest week (a page and the next one's first), four more within a month of the
    # third, then older ones, of which two filed at the same moment (the id decides).
    ages = [0.5, 1, 2, 3, 10, 12, 25, 30.5, 40, 200, 200, 400]
    matches = [filed(groups["a"], days) for days in ages]
    for days in (0.1, 5, 100):
        filed(groups["a"], days, objet="Clôture du jardin")
        filed(groups["b"], days)  # another group's: never listed to Alice
    Dossier.objects.filter(pk=matches[-2].pk).update(submitted_at=now - timedelta(days=200))
    Dossier.objects.filter(pk=matches[-3].pk).update(submitted_at=now - timedelta(days=200))
    for dossier in matches:
        dossier.refresh_from_db()
    expected = [d.number for d in sorted(matches, key=lambda d: (d.submitted_at, d.pk), reverse=True)]
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    listed, page_url = [], url + "?onglet=tous&q=toiture"
    with connection.execute_wrapper(record):
        while page_url != url:
            response = client.get(page_url)
            listed += dict.fromkeys(re.findall(r"n°(\d{4}-\d{6})<", response.content.decode()))
            page_url = url + response.context["next_url"]
    assert listed == expected
    if connection.vendor == "postgresql" and by_periods:  # then the whole list
        assert any("AT TIME ZONE 'UTC')::date) >=" in sql for sql in statements)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_the_search_index_finds_a_periods_matches_by_their_filing_day(procedure, groups):
    """The periods' condition must be the very expression of the search's indexes, or PostgreSQL
    reads every match of the groups again."""
    from django.db import transaction
    from django.db.models.lookups import GreaterThanOrEqual

    from guichet.dossiers.models import FilingDay
    from guichet.dossiers.search import search_query

    archived = dossier_in(procedure, groups["a"], accepted=True, answers={"objet": "Réfection de toiture"})
    Dossier.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    searched = Dossier.objects.filter(archived_at__isnull=False, search_vector=search_query("toiture")).filter(
        GreaterThanOrEqual(FilingDay("submitted_at"), timezone.now().date() - timedelta(days=7))
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # On so few rows PostgreSQL would rather read a list's index: the search's indexes alone
        # are left, for this transaction (PostgreSQL's DDL is transactional).
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'dossiers_dossier' AND indexname NOT LIKE "
            "'%%search_on_idx' AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = searched.explain()
        assert searched.count() == 1
        transaction.set_rollback(True)
    index_scan = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "dossier_archived_search_on_idx" in plan and "::date >=" in index_scan, plan


def test_the_search_finds_what_the_applicant_corrected(client, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], in_instruction=True, answers={"objet": "Abri de jardin"})
    dossier_transition(
        dossier=dossier, name=TransitionName.REQUEST_CORRECTION, actor=groups["alice"], motivation="Précisez."
    )
    dossier_answers_save(actor=dossier.applicant, dossier=dossier, answers={"objet": "Véranda vitrée"})
    dossier_corrections_submit(actor=dossier.applicant, dossier=dossier)
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])
    assert _numbers_listed(client, url, q="véranda")[1] == {dossier.number}


def test_the_tabs_count_up_to_a_limit(client, procedure, groups, monkeypatch):
    monkeypatch.setattr("guichet.instruction.selectors.COUNT_LIMIT", 2)
    monkeypatch.setattr("guichet.www.agent.lists.COUNT_LIMIT", 2)
    for _ in range(3):
        dossier_in(procedure, groups["a"], submitted=True)
    dossier_in(procedure, groups["a"], accepted=True)
    client.force_login(groups["alice"])
    page = client.get(reverse("agent:dossier_list", args=[procedure.slug])).content.decode()
    assert "À traiter (plus de 2)" in page and "Traités (1)" in page and "Tous (plus de 2)" in page


def test_pages_follow_each_other_without_gaps_or_repeats(client, procedure, groups):
    numbers = {dossier_in(procedure, groups["a"], submitted=True).number for _ in range(PAGE_SIZE + 3)}
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])
    first = client.get(url)
    seen = [n for n in numbers if f"n°{n}<" in first.content.decode()]
    assert len(seen) == PAGE_SIZE
    next_url = first.context["next_url"]
    second = client.get(url + next_url)
    rest = [n for n in numbers if f"n°{n}<" in second.content.decode()]
    assert len(rest) == 3 and not set(rest) & set(seen)
    assert second.context["next_url"] == ""


def test_the_list_costs_the_same_queries_whatever_the_number_of_dossiers(client, procedure, groups):
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])
    dossier_in(procedure, groups["a"], submitted=True)
    client.get(url, {"onglet": "tous"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"onglet": "tous"})
    for _ in range(6):
        dossier_in(procedure, groups["a"], accepted=True)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"onglet": "tous"})
    assert len(many) == len(few)


def test_decisions_follow_the_workflow_log_and_tell_the_applicant(client, post, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], submitted=True)
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_decision", args=[dossier.pk])
    mail.outbox.clear()

    assert post(url, {"decision": "start_instruction"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_INSTRUCTION
    assert "en cours d’instruction" in mail.outbox[-1].body and mail.outbox[-1].to == [dossier.applicant.email]

    # A refusal needs a motivation: shown next to the field, nothing changes.
    response = post(url, {"decision": "refuse", "motivation": "  "})
    assert response.status_code == 400
    assert "Une motivation est obligatoire" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_INSTRUCTION

    assert post(url, {"decision": "refuse", "motivation": "Pièces <b>incomplètes</b>."}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REFUSED and dossier.decided_at
    log = TransitionLog.objects.filter(dossier=dossier).last()
    assert log.actor == groups["alice"] and log.motivation == "Pièces <b>incomplètes</b>."
    assert "Pièces <b>incomplètes</b>." in mail.outbox[-1].body and "refusée" in mail.outbox[-1].body
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Pièces &lt;b&gt;incomplètes&lt;/b&gt;." in page  # escaped in the timeline

    # A decision the state does not allow (accept a refused dossier) is refused with a message.
    response = post(url, {"decision": "accept"})
    assert response.status_code == 400 and "Cette action n’est pas possible" in response.content.decode()

    assert post(url, {"decision": "reopen", "motivation": "Erreur de ma part."}).status_code == 302
    assert post(url, {"decision": "accept"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED


def test_a_correction_request_reaches_the_applicant(client, post, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], in_instruction=True)
    client.force_login(groups["alice"])
    mail.outbox.clear()
    response = post(
        reverse("agent:dossier_decision", args=[dossier.pk]),
        {"decision": "request_correction", "motivation": "Le justificatif est illisible."},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and dossier.correction_requests.filter(resolved_at=None).exists()
    assert "Le justificatif est illisible." in mail.outbox[-1].body
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Correction demandée à l’usager" in page


def test_the_instructor_reads_the_answers_and_writes_to_the_applicant(client, post, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "<script>alert(1)</script>"})
    client.force_login(groups["alice"])
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    mail.outbox.clear()
    upload = io.BytesIO(PDF)
    upload.name = "courrier.pdf"
    response = post(reverse("agent:dossier_message", args=[dossier.pk]), {"body": "Merci.", "attachment": upload})
    assert response.status_code == 302
    message = dossier.messages.get()
    assert message.author_role == "instructor" and message.files[0].name == "courrier.pdf"
    assert mail.outbox[-1].to == [dossier.applicant.email]
    download = client.get(reverse("agent:dossier_file", args=[dossier.pk, message.files[0].key]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_only_a_processed_dossier_is_put_aside(client, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], submitted=True)
    client.force_login(groups["alice"])
    response = client.post(reverse("agent:dossier_put_aside", args=[dossier.pk]), follow=True)
    assert "Seul un dossier traité (décidé ou retiré) peut être mis de côté." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.archived_at is None


def test_the_procedures_page_counts_what_waits(client, procedure, groups):
    dossier_in(procedure, groups["a"], submitted=True)
    dossier_in(procedure, groups["a"], submitted=True)
    dossier_in(procedure, groups["b"], submitted=True)
    client.force_login(groups["alice"])
    page = client.get(reverse("agent:procedures")).content.decode()
    assert "Aide au permis de conduire" in page and "2 dossiers à traiter" in page


def test_an_instructor_of_another_procedure_sees_nothing_of_this_one(client, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], submitted=True)
    stranger = instructor_of(ProcedureFactory())
    client.force_login(stranger)
    assert client.get(reverse("agent:dossier_list", args=[procedure.slug])).status_code == 404
    assert client.get(reverse("agent:dossier_detail", args=[dossier.pk])).status_code == 404


def test_the_header_leads_instructors_to_the_back_office(client, procedure, groups):
    client.force_login(groups["alice"])
    assert reverse("agent:procedures") in client.get("/").content.decode()
    client.force_login(UserFactory())
    assert reverse("agent:procedures") not in client.get("/").content.decode()


def test_a_bulk_action_reports_each_dossier_and_a_refusal_does_not_stop_the_others(client, post, procedure, groups):
    started = [dossier_in(procedure, groups["a"], in_instruction=True) for _ in range(3)]
    already = dossier_in(procedure, groups["a"], accepted=True)  # cannot be accepted again
    client.force_login(groups["alice"])
    mail.outbox.clear()
    ids = [d.pk for d in [started[0], already, *started[1:]]]
    response = post(reverse("agent:bulk_create", args=[procedure.slug]), {"action": "accept", "dossiers": ids})
    assert response.status_code == 302
    bulk = BulkAction.objects.get()
    assert response["Location"] == reverse("agent:bulk_detail", args=[bulk.pk])
    assert bulk.status == "done" and len(bulk.outcomes) == 4
    assert list(bulk.failures) == [str(already.pk)]
    for dossier in started:
        dossier.refresh_from_db()
        assert dossier.state == DossierState.ACCEPTED
    assert len(mail.outbox) == 3
    page = client.get(response["Location"]).content.decode()
    assert "4 dossiers traités sur 4, dont 1 refusé" in page and f"n°{already.number}" in page
    # Its author's only.
    client.force_login(groups["bob"])
    assert client.get(reverse("agent:bulk_detail", args=[bulk.pk])).status_code == 404


def test_a_bulk_action_is_refused_on_others_dossiers_too_many_or_without_its_text(client, post, procedure, groups):
    mine = dossier_in(procedure, groups["a"], in_instruction=True)
    theirs = dossier_in(procedure, groups["b"], in_instruction=True)
    client.force_login(groups["alice"])
    url = reverse("agent:bulk_create", args=[procedure.slug])
    page = post(url, {"action": "accept", "dossiers": [mine.pk, theirs.pk]}, follow=True).content.decode()
    assert "ne sont pas dans vos groupes instructeurs" in page
    page = post(url, {"action": "refuse", "dossiers": [mine.pk], "texte": " "}, follow=True).content.decode()
    assert "Une motivation est obligatoire pour refuser." in page
    page = post(url, {"action": "accept", "dossiers": list(range(1, 502))}, follow=True).content.decode()
    assert "au plus 500 dossiers" in page
    page = post(url, {"action": "accept"}, follow=True).content.decode()
    assert "Sélectionnez au moins un dossier." in page
    assert not BulkAction.objects.exists()
    mine.refresh_from_db()
    assert mine.state == DossierState.IN_INSTRUCTION


def test_a_bulk_message_reaches_each_applicant(client, post, procedure, groups):
    dossiers = [dossier_in(procedure, groups["a"], submitted=True) for _ in range(2)]
    client.force_login(groups["alice"])
    post(
        reverse("agent:bulk_create", args=[procedure.slug]),
        {"action": "message", "dossiers": [d.pk for d in dossiers], "texte": "Le service sera fermé lundi."},
    )
    for dossier in dossiers:
        assert dossier.messages.get().body == "Le service sera fermé lundi."


def test_the_list_flags_dossiers_past_or_near_their_deadline(client, procedure, groups):
    from datetime import datetime, timedelta

    from django.utils import timezone

    late = dossier_in(procedure, groups["a"], in_instruction=True)
    soon = dossier_in(procedure, groups["a"], in_instruction=True)
    type(late).objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    # The deadline ends at midnight (Paris) three days from now: its last day is in two days.
    midnight = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=3), datetime.min.time()))
    type(soon).objects.filter(pk=soon.pk).update(due_at=midnight)
    client.force_login(groups["alice"])
    page = client.get(reverse("agent:dossier_list", args=[procedure.slug]), {"onglet": "tous"}).content.decode()
    assert "Délai dépassé" in page and "À échéance dans 2 jours" in page
    page = client.get(reverse("agent:dossier_detail", args=[late.pk])).content.decode()
    assert "Délai dépassé" in page


ANNOTATED = {
    "pages": [{"id": "p1", "title": "Votre demande", "fields": [{"id": "objet", "type": "text", "label": "Objet"}]}],
    "annotations": [
        {"id": "visite", "type": "date", "label": "Visite sur place"},
        {"id": "note", "type": "textarea", "label": "Note interne", "max_length": 50},
    ],
}


def test_private_annotations_are_kept_checked_and_never_shown_to_the_applicant(client, groups):
    procedure = ProcedureFactory(draft_definition=ANNOTATED)
    InstructorMembership.objects.create(group=procedure.instructor_groups.get(is_default=True), user=groups["alice"])
    dossier = DossierFactory(procedure=procedure, submitted=True, answers={"objet": "Toiture"})
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_annotations", args=[dossier.pk])

    response = client.post(url, {"visite": "31/02/2027", "note": "x" * 60})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 réponses sont à corriger" in page
    dossier.refresh_from_db()
    assert dossier.annotations == {}

    assert client.post(url, {"visite": "15/03/2027", "note": "Appeler le <maire>."}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.annotations == {"visite": "2027-03-15", "note": "Appeler le <maire>."}
    page = client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Annotations privées" in page and "Appeler le &lt;maire&gt;." in page

    # The applicant sees none of it.
    client.force_login(dossier.applicant)
    page = client.get(reverse("usager:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Appeler le" not in page and "Annotations" not in page
    # Another group's instructor cannot write them.
    client.force_login(groups["bob"])
    assert client.post(url, {"note": "intrus"}).status_code == 404


def test_a_procedure_without_annotations_shows_no_such_section(client, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], submitted=True)
    client.force_login(groups["alice"])
    assert "Annotations privées" not in client.get(reverse("agent:dossier_detail", args=[dossier.pk])).content.decode()
    assert client.post(reverse("agent:dossier_annotations", args=[dossier.pk]), {}).status_code == 404


def test_labels_and_assignment_sort_the_work(client, post, procedure, groups):
    first = dossier_in(procedure, groups["a"], submitted=True)
    second = dossier_in(procedure, groups["a"], submitted=True)
    colleague = UserFactory(first_name="Paul", last_name="Durand")
    InstructorMembership.objects.create(group=groups["a"], user=colleague)
    client.force_login(groups["alice"])

    post(reverse("agent:dossier_labels", args=[first.pk]), {"etiquettes": "Urgent, pièce manquante ,urgent"})
    assert set(first.labels.values_list("name", flat=True)) == {"pièce manquante", "Urgent"}
    post(reverse("agent:dossier_labels", args=[second.pk]), {"etiquettes": "URGENT"})
    assert list(second.labels.values_list("name", flat=True)) == ["Urgent"]  # the same label, not a second one

    post(reverse("agent:dossier_assign", args=[second.pk]), {"instructeur": colleague.pk})
    second.refresh_from_db()
    assert second.assignee == colleague
    # Someone outside the group cannot be put in charge.
    page = post(reverse("agent:dossier_assign", args=[first.pk]), {"instructeur": groups["bob"].pk}, follow=True)
    assert "Choisissez un instructeur du groupe" in page.content.decode()

    url = reverse("agent:dossier_list", args=[procedure.slug])
    urgent = first.labels.get(name="Urgent")
    page = client.get(url, {"onglet": "tous", "etiquette": urgent.pk}).content.decode()
    assert f"n°{first.number}" in page and f"n°{second.number}" in page
    missing = first.labels.get(name="pièce manquante")
    page = client.get(url, {"onglet": "tous", "etiquette": missing.pk}).content.decode()
    assert f"n°{first.number}" in page and f"n°{second.number}" not in page
    client.force_login(colleague)
    page = client.get(url, {"onglet": "tous", "mes": "on"}).content.decode()
    assert f"n°{second.number}" in page and f"n°{first.number}" not in page


def test_a_dossier_opened_from_a_list_leads_to_the_previous_and_next_of_that_list(client, procedure, groups):
    oldest, middle, newest = (dossier_in(procedure, groups["a"], submitted=True) for _ in range(3))
    dossier_in(procedure, groups["a"], accepted=True)  # not in « À traiter »
    client.force_login(groups["alice"])
    page = client.get(reverse("agent:dossier_list", args=[procedure.slug])).content.decode()
    link = re.search(rf'href="([^"]+)">n°{middle.number}<', page).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.context["previous_url"].startswith(reverse("agent:dossier_detail", args=[newest.pk]))
    assert response.context["next_url"].startswith(reverse("agent:dossier_detail", args=[oldest.pk]))
    last = client.get(response.context["next_url"])
    assert last.context["next_url"] == ""  # the accepted one is not in this list
    assert "Retour à la liste" in last.content.decode()


def test_chosen_answer_columns_show_in_the_list_and_the_export_follows_the_list(client, procedure, groups):
    import csv

    lourd = dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "Permis poids lourd"})
    moto = dossier_in(procedure, groups["a"], in_instruction=True, answers={"objet": "Permis moto"})
    dossier_in(procedure, groups["b"], submitted=True, answers={"objet": "Hors de mes groupes"})
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])
    assert (
        client.post(
            reverse("agent:list_columns", args=[procedure.slug]), {"colonnes": ["objet", "inconnu"]}
        ).status_code
        == 302
    )
    page = client.get(url, {"onglet": "tous"}).content.decode()
    assert "Permis poids lourd" in page and "Permis moto" in page

    response = client.get(reverse("agent:list_export", args=[procedure.slug, "csv"]), {"onglet": "tous", "q": "lourd"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    assert rows[0][0] == "Numéro" and rows[0][-1] == "Objet de la demande"
    assert [row[0] for row in rows[1:]] == [lourd.number]
    assert rows[1][-1] == "Permis poids lourd"
    everything = client.get(reverse("agent:list_export", args=[procedure.slug, "xlsx"]), {"onglet": "tous"})
    assert everything["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(everything.streaming_content)[:2] == b"PK"
    assert client.get(reverse("agent:list_export", args=[procedure.slug, "exe"])).status_code == 404
    assert moto.number
    # The audit trail says that a search narrowed the export, never what was searched (a name, often).
    exports = AuditEvent.objects.filter(action=AuditAction.DOSSIERS_EXPORT).order_by("id")
    assert [event.details["search"] for event in exports] == [True, False]
    assert not any("lourd" in str(event.details) for event in exports)


def test_the_attachments_of_ticked_dossiers_come_as_one_zip(client, procedure, groups):
    import zipfile

    dossier = dossier_in(procedure, groups["a"], submitted=True)
    theirs = dossier_in(procedure, groups["b"], submitted=True)
    client.force_login(groups["alice"])
    upload = io.BytesIO(PDF)
    upload.name = "courrier.pdf"
    client.post(reverse("agent:dossier_message", args=[dossier.pk]), {"body": "Voici.", "attachment": upload})
    url = reverse("agent:attachments_zip", args=[procedure.slug])
    response = client.post(url, {"dossiers": [dossier.pk]})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert f"{dossier.number}/courrier.pdf" in archive.namelist()
    refused = client.post(url, {"dossiers": [dossier.pk, theirs.pk]}, follow=True)
    assert "Cochez de 1 à 500 dossiers de vos groupes" in refused.content.decode()


def test_a_long_list_is_exported_by_the_worker_then_downloaded_by_its_author(
    client, post, procedure, groups, monkeypatch, django_capture_on_commit_callbacks
):
    import csv

    from guichet.instruction.exports import jobs
    from guichet.instruction.models import ExportJob

    monkeypatch.setattr(jobs, "LARGE_EXPORT", 2)
    dossiers = [dossier_in(procedure, groups["a"], submitted=True) for _ in range(3)]
    client.force_login(groups["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("agent:list_export", args=[procedure.slug, "csv"]), {"onglet": "tous"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("agent:export_job", args=[job.pk])
    assert job.status == "done" and job.rows_done == 3
    page = client.get(response["Location"]).content.decode()
    assert "Télécharger l’export" in page
    download = client.get(reverse("agent:export_job_file", args=[job.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    numbers = [row[0] for row in csv.reader(text.splitlines()[1:], delimiter=";")]
    assert sorted(numbers) == sorted(d.number for d in dossiers)
    # Its author's only, and for a limited time.
    client.force_login(groups["bob"])
    assert client.get(reverse("agent:export_job_file", args=[job.pk])).status_code == 404
    jobs.export_jobs_purge(now=job.expires_at + jobs.EXPORT_KEPT)
    client.force_login(groups["alice"])
    assert client.get(reverse("agent:export_job_file", args=[job.pk])).status_code == 404


def test_the_list_filters_on_filing_dates_and_shows_the_oldest_first_on_demand(client, procedure, groups):
    from datetime import timedelta

    from django.utils import timezone

    old, recent = (dossier_in(procedure, groups["a"], submitted=True) for _ in range(2))
    type(old).objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    page = client.get(url, {"du": since}).content.decode()
    assert f"n°{recent.number}" in page and f"n°{old.number}" not in page
    page = client.get(url, {"au": since}).content.decode()
    assert f"n°{old.number}" in page and f"n°{recent.number}" not in page
    page = client.get(url, {"tri": "anciens"}).content.decode()
    assert page.index(f"n°{old.number}<") < page.index(f"n°{recent.number}<")
    page = client.get(url).content.decode()
    assert page.index(f"n°{recent.number}<") < page.index(f"n°{old.number}<")


def test_an_attached_pdf_opens_in_the_browser_sandboxed(client, procedure, groups):
    dossier = dossier_in(procedure, groups["a"], submitted=True)
    client.force_login(groups["alice"])
    upload = io.BytesIO(PDF)
    upload.name = "plan.pdf"
    client.post(reverse("agent:dossier_message", args=[dossier.pk]), {"body": "Plan.", "attachment": upload})
    key = dossier.messages.get().files[0].key
    url = reverse("agent:dossier_file", args=[dossier.pk, key])
    preview = client.get(url, {"apercu": "1"})
    assert preview["Content-Disposition"].startswith("inline") and "sandbox" in preview["Content-Security-Policy"]
    assert client.get(url)["Content-Disposition"].startswith("attachment")


def test_what_applicants_and_instructors_typed_is_escaped_in_the_list(client, procedure, groups):
    from guichet.instruction.models import Label

    dossier = dossier_in(procedure, groups["a"], submitted=True, answers={"objet": "<b>Permis</b>\nligne 2"})
    type(dossier).objects.filter(pk=dossier.pk).update(
        identity={"family_name": "<script>x</script>", "given_name": "Zoé"}
    )
    Label.objects.create(procedure=procedure, name='"urgent" <i>').dossiers.add(dossier)
    groups["a"].name = "Groupe <A>"
    groups["a"].save()
    client.force_login(groups["alice"])
    client.post(reverse("agent:list_columns", args=[procedure.slug]), {"colonnes": ["objet"]})
    page = client.get(reverse("agent:dossier_list", args=[procedure.slug])).content.decode()
    row = re.search(rf'<tr><td class="fr-cell--fixed">.*?value="{dossier.pk}".*?</tr>', page, re.S).group(0)
    assert "&lt;script&gt;x&lt;/script&gt; Zoé" in row and "<script>" not in row
    assert "Groupe &lt;A&gt;" in row
    assert "&quot;urgent&quot; &lt;i&gt;" in row
    assert "<td>&lt;b&gt;Permis&lt;/b&gt;<br>ligne 2</td>" in row
    assert f'href="/instruction/dossiers/{dossier.pk}/?liste=onglet%3Da-traiter"' in row


def test_the_list_sorted_by_deadline_shows_the_nearest_first_page_after_page(client, procedure, groups, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setattr("guichet.instruction.selectors.PAGE_SIZE", 2)
    now = timezone.now()
    due = [now + timedelta(days=days) for days in (9, 2, 5, 5)]
    dated = [dossier_in(procedure, groups["a"], submitted=True) for _ in due]
    for dossier, at in zip(dated, due, strict=True):
        type(dossier).objects.filter(pk=dossier.pk).update(due_at=at)
    undated = [dossier_in(procedure, groups["a"], accepted=True) for _ in range(2)]  # no deadline runs
    expected = [dated[1], dated[2], dated[3], dated[0], *sorted(undated, key=lambda d: d.pk)]
    client.force_login(groups["alice"])
    url = reverse("agent:dossier_list", args=[procedure.slug])
    seen, query = [], "onglet=tous&tri=echeance"
    for _ in range(4):
        page = client.get(f"{url}?{query}").content.decode()
        seen += [int(pk) for pk in re.findall(r'name="dossiers" value="(\d+)"', page)]
        following = re.search(r'href="\?([^"]*apres=[^"]*)">Dossiers suivants', page)
        if following is None:
            break
        query = following.group(1).replace("&amp;", "&")
    assert seen == [dossier.pk for dossier in expected]
    assert 'value="echeance" selected' in page  # the order chosen stays chosen
    # From a dossier opened in that list, « précédent » and « suivant » follow the same order.
    listed = "onglet=tous&tri=echeance"
    for before, current, after in zip(expected, expected[1:], expected[2:], strict=False):
        detail = client.get(reverse("agent:dossier_detail", args=[current.pk]), {"liste": listed}).content.decode()
        assert f"/instruction/dossiers/{before.pk}/?" in detail and f"/instruction/dossiers/{after.pk}/?" in detail


def test_the_instruction_home_leads_to_the_form_of_the_requests_received_offline(client, procedure, groups):
    from guichet.observatory.aggregation import observatory_aggregate
    from guichet.observatory.models import ProgrammeEntry

    observatory_aggregate()  # the procedure's row in the programme
    entry = ProgrammeEntry.objects.get(procedure=procedure)
    client.force_login(groups["alice"])
    page = client.get(reverse("agent:procedures")).content.decode()
    form_url = reverse("observatoire:volume_record", args=[entry.pk])
    assert f'href="{form_url}"' in page
    assert client.get(form_url).status_code == 200
