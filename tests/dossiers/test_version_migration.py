from copy import deepcopy
from datetime import UTC, date, datetime

import pytest

from guichet.core.models import AuditEvent
from guichet.dossiers.models import Dossier, TransitionName
from guichet.dossiers.tasks import dossiers_version_migrate_task
from guichet.dossiers.versions import answers_fit, dossiers_version_migrate
from guichet.dossiers.workflow import dossier_transition
from guichet.procedures.definition import definition_validate
from guichet.procedures.models import ProcedureVersion
from tests.factories import DossierFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

PUBLISHED_AT = datetime(2026, 11, 20, 10, tzinfo=UTC)
FIELDS = [
    {"id": "objet", "type": "text", "label": "Objet de la demande", "required": True},
    {"id": "nature", "type": "choice", "label": "Nature du projet",
     "options": [{"value": "extension", "label": "Extension"}, {"value": "piscine", "label": "Piscine"}]},
    {"id": "surface", "type": "integer", "label": "Surface créée", "max": 100, "unit": "m²"},
    {"id": "association", "type": "yes_no", "label": "Déposez-vous au nom d’une association ?"},
    {"id": "commentaire", "type": "textarea", "label": "Commentaire"},
    {"id": "parcelles", "type": "block", "label": "Parcelles cadastrales", "fields": [
        {"id": "section", "type": "text", "label": "Section"},
        {"id": "numero", "type": "integer", "label": "Numéro de parcelle"},
    ]},
]  # fmt: skip
ANSWERS = {
    "objet": "Agrandir la maison",
    "nature": "extension",
    "surface": "40",
    "association": "non",
    "commentaire": "Côté jardin",
    "parcelles": [{"section": "AB", "numero": "12"}, {"section": "AC", "numero": "7"}],
}
ONLY_FOR_ASSOCIATIONS = {"condition": {"all": [{"field": "association", "op": "eq", "value": True}]}}


def form(*, drop: frozenset[str] = frozenset(), add: tuple[dict, ...] = (), **settings: dict) -> dict:
    """The first version's form, with fields dropped and settings changed by field id, blocks included."""

    def rebuild(fields: list[dict]) -> list[dict]:
        return [
            {**f, **settings.get(f["id"], {}), **({"fields": rebuild(f["fields"])} if "fields" in f else {})}
            for f in fields
            if f["id"] not in drop
        ]

    return {"pages": [{"id": "demande", "title": "Votre demande", "fields": [*rebuild(FIELDS), *add]}]}


@pytest.fixture
def procedure():
    return ProcedureFactory(draft_definition=form())


def draft(procedure, **answers):
    return DossierFactory(procedure=procedure, answers={**deepcopy(ANSWERS), **answers})


def publish(procedure, definition: dict) -> ProcedureVersion:
    """A new version, then the task that procedure_publish enqueues once it commits."""
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=procedure.latest_version.number + 1,
        definition=definition,
        published_at=PUBLISHED_AT,
    )
    dossiers_version_migrate_task.enqueue(procedure.pk, version.pk)
    return version


def events(dossier: Dossier, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(dossier.pk), action=action))


def kept_notice(problems: str, *, many: bool = False) -> str:
    which = "les réponses suivantes n’entrent plus" if many else "la réponse suivante n’entre plus"
    return (
        "La démarche a été mise à jour le 20/11/2026. Votre brouillon reste sur la version précédente du "
        f"formulaire, car {which} dans la nouvelle version : {problems}. "
        "Vous pouvez continuer et déposer votre dossier tel quel."
    )


def test_a_draft_whose_answers_fit_moves_to_the_new_version_with_its_answers_unchanged(procedure):
    dossier = draft(procedure)
    added = {"id": "telephone", "type": "phone", "label": "Téléphone", "required": True}
    version = publish(procedure, form(objet={"label": "Objet", "max_length": 200}, add=(added,)))

    dossier.refresh_from_db()
    assert dossier.version == version
    assert dossier.answers == ANSWERS
    assert dossier.version_notice == ""
    [event] = events(dossier, "dossier.version_migrate")
    assert (event.actor, event.details) == (None, {"from_version": 1, "to_version": 2})


def test_a_draft_with_an_answer_to_a_removed_field_stays_and_its_applicant_is_told_which(
    procedure, mailoutbox, django_capture_on_commit_callbacks
):
    dossier, unanswered = draft(procedure), draft(procedure, commentaire="")
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=2, definition=form(drop={"commentaire"}), published_at=PUBLISHED_AT
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = dossiers_version_migrate(procedure=procedure, version=version)
    [email] = mailoutbox
    assert email.to == [dossier.applicant.email]
    assert kept_notice("« Commentaire » (ce champ a été retiré)") in email.body

    dossier.refresh_from_db()
    assert (dossier.version.number, dossier.answers) == (1, ANSWERS)
    assert dossier.version_notice == kept_notice("« Commentaire » (ce champ a été retiré)")
    assert report.moved == [unanswered.pk]
    assert report.kept == {dossier.pk: [("Commentaire", "ce champ a été retiré")]}
    [event] = events(dossier, "dossier.version_kept")
    assert event.details["problems"] == [["Commentaire", "ce champ a été retiré"]]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"nature": {"options": [{"value": "piscine", "label": "Piscine"}]}},
         "« Nature du projet » (cette réponse n’est plus acceptée : Choisissez une des réponses proposées.)"),
        ({"surface": {"max": 30}},
         "« Surface créée » (cette réponse n’est plus acceptée : La valeur doit être inférieure ou égale à 30 m².)"),
        ({"objet": {"type": "email"}},
         "« Objet de la demande » (cette réponse n’est plus acceptée : Saisissez une adresse électronique valide, "
         "par exemple nom@exemple.fr.)"),
    ],
    ids=["option-removed", "max-lowered", "type-changed"],
)  # fmt: skip
def test_a_draft_with_an_answer_no_longer_accepted_stays(procedure, settings, problem):
    dossier = draft(procedure)
    publish(procedure, form(**settings))

    dossier.refresh_from_db()
    assert (dossier.version.number, dossier.answers) == (1, ANSWERS)
    assert dossier.version_notice == kept_notice(problem)
    assert len(events(dossier, "dossier.version_kept")) == 1


def test_a_field_newly_hidden_by_a_condition_keeps_only_the_drafts_whose_answer_it_would_hide(procedure):
    individual, association = draft(procedure), draft(procedure, association="oui")
    version = publish(procedure, form(commentaire=ONLY_FOR_ASSOCIATIONS))

    individual.refresh_from_db()
    association.refresh_from_db()
    assert individual.version.number == 1
    assert individual.version_notice == kept_notice(
        "« Commentaire » (ce champ n’est plus demandé dans votre situation)"
    )
    assert (association.version, association.version_notice) == (version, "")


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        ({"drop": {"section"}},
         "« Section (Parcelles cadastrales, ligne 1) » (ce champ a été retiré) ; "
         "« Section (Parcelles cadastrales, ligne 2) » (ce champ a été retiré)"),
        ({"numero": {"max": 10}},
         "« Numéro de parcelle (Parcelles cadastrales, ligne 1) » "
         "(cette réponse n’est plus acceptée : La valeur doit être inférieure ou égale à 10.)"),
    ],
    ids=["field-removed-from-block", "block-value-rejected"],
)  # fmt: skip
def test_a_value_lost_in_a_block_row_keeps_the_draft(procedure, change, problems):
    dossier = draft(procedure)
    publish(procedure, form(**change))

    dossier.refresh_from_db()
    assert dossier.version.number == 1
    assert dossier.version_notice == kept_notice(problems, many=problems.count("«") > 1)


@pytest.mark.parametrize("state", ["submitted", "in_instruction", "accepted"])
def test_filed_dossiers_never_change_version_answers_or_notice(procedure, state):
    filed = DossierFactory(procedure=procedure, answers=deepcopy(ANSWERS), **{state: True})
    publish(procedure, form(objet={"label": "Objet"}))  # fits
    publish(procedure, form(drop={"commentaire"}))  # does not

    filed.refresh_from_db()
    assert (filed.state, filed.version.number, filed.answers, filed.version_notice) == (state, 1, ANSWERS, "")
    assert not events(filed, "dossier.version_migrate") + events(filed, "dossier.version_kept")


def test_a_draft_filed_while_the_migration_runs_is_left_as_filed(procedure, monkeypatch):
    dossier = draft(procedure)
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=2, definition=form(), published_at=PUBLISHED_AT
    )
    lock = Dossier.objects.select_for_update

    def filed_just_before_the_lock(*args, **kwargs):
        monkeypatch.setattr(Dossier.objects, "select_for_update", lock)
        dossier_transition(dossier=dossier, name=TransitionName.SUBMIT, actor=dossier.applicant)
        return lock(*args, **kwargs)

    monkeypatch.setattr(Dossier.objects, "select_for_update", filed_just_before_the_lock)
    report = dossiers_version_migrate(procedure=procedure, version=version)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.version.number) == ("submitted", 1)
    assert (report.moved, report.kept) == ([], {})


def test_running_again_changes_nothing_more(procedure):
    fits, stays = draft(procedure, commentaire=""), draft(procedure)
    version = publish(procedure, form(drop={"commentaire"}))
    stays.refresh_from_db()
    touched = stays.updated_at

    for _ in range(2):
        report = dossiers_version_migrate(procedure=procedure, version=version)
        assert report.moved == []
        assert list(report.kept) == [stays.pk]

    fits.refresh_from_db()
    stays.refresh_from_db()
    assert fits.version == version
    assert (stays.version.number, stays.updated_at) == (1, touched)
    assert len(events(fits, "dossier.version_migrate")) == 1
    assert len(events(stays, "dossier.version_kept")) == 1


def test_a_draft_already_on_the_latest_version_is_untouched(procedure):
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=2, definition=form(surface={"max": 30}), published_at=PUBLISHED_AT
    )
    dossier = DossierFactory(procedure=procedure, version=version, answers=deepcopy(ANSWERS))  # 40 m² > 30 m²

    dossiers_version_migrate_task.enqueue(procedure.pk, version.pk)

    dossier.refresh_from_db()
    assert (dossier.version, dossier.version_notice) == (version, "")
    assert not events(dossier, "dossier.version_kept")


def test_the_notice_is_cleared_when_a_later_version_fits(procedure):
    dossier = draft(procedure)
    publish(procedure, form(drop={"commentaire"}))
    dossier.refresh_from_db()
    assert dossier.version_notice

    third = publish(procedure, form(add=({"id": "telephone", "type": "phone", "label": "Téléphone"},)))

    dossier.refresh_from_db()
    assert (dossier.version, dossier.version_notice) == (third, "")
    [event] = events(dossier, "dossier.version_migrate")
    assert event.details == {"from_version": 1, "to_version": 3}


def test_a_late_run_for_a_superseded_version_changes_nothing(procedure):
    dossier = draft(procedure)
    second = ProcedureVersion.objects.create(
        procedure=procedure, number=2, definition=form(objet={"label": "Objet"}), published_at=PUBLISHED_AT
    )
    publish(procedure, form(drop={"commentaire"}))  # the third, which the draft does not fit
    dossier.refresh_from_db()
    notice = dossier.version_notice

    report = dossiers_version_migrate(procedure=procedure, version=second)

    dossier.refresh_from_db()
    assert (report.moved, dossier.version.number, dossier.version_notice) == ([], 1, notice)


TODAY = date(2026, 11, 20)


def fit(old_fields: list[dict], new_fields: list[dict], raw: dict) -> list[tuple[str, str]]:
    def of(fields: list[dict]):
        return definition_validate({"pages": [{"id": "p", "title": "Page", "fields": fields}]})

    return answers_fit(old_form=of(old_fields), new_form=of(new_fields), raw=raw, today=TODAY)


def test_reordered_options_and_new_computed_values_still_fit():
    options = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]
    choices = {"id": "choix", "type": "multiple_choice", "label": "Choix", "options": options}
    count = {"id": "nombre", "type": "integer", "label": "Nombre"}
    double = {"id": "double", "type": "computed", "label": "Double", "formula": "nombre * 2"}
    reordered = {**choices, "options": options[::-1]}
    assert fit([choices, count], [reordered, count, double], {"choix": ["a", "b"], "nombre": "3"}) == []


def test_an_answer_read_differently_or_moved_into_a_block_does_not_fit():
    text = {"id": "reference", "type": "text", "label": "Référence"}
    as_number = {**text, "type": "integer"}
    assert fit([text], [as_number], {"reference": "0042"}) == [
        ("Référence", "ce champ attend désormais un autre type de réponse")
    ]
    block = {"id": "lignes", "type": "block", "label": "Lignes", "fields": [text]}
    assert fit([text], [block], {"reference": "A1"}) == [("Référence", "ce champ a été déplacé dans le formulaire")]


def test_new_dossiers_wait_for_the_opening_date_and_stop_after_the_closing_date(procedure):
    from django.core.exceptions import ValidationError

    from guichet.dossiers.services import dossier_create
    from tests.factories import UserFactory

    procedure.opens_on = date(2099, 1, 1)
    procedure.save()
    with pytest.raises(ValidationError, match="ouvrira le 01/01/2099"):
        dossier_create(actor=UserFactory(), procedure=procedure)
    procedure.opens_on, procedure.closes_on = None, date(2020, 12, 31)
    procedure.save()
    with pytest.raises(ValidationError, match="close depuis le 31/12/2020"):
        dossier_create(actor=UserFactory(), procedure=procedure)
