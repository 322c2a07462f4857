"""Factories with lifecycle traits: `DossierFactory(in_instruction=True)` walks the real workflow,
so that the dossier has its number, its group, its transition log and its audit events."""

import factory
from stdnum import luhn

from guichet.accounts.models import Organisation, User
from guichet.dossiers.models import Dossier, TransitionName
from guichet.dossiers.services import dossier_submit
from guichet.dossiers.workflow import dossier_transition
from guichet.procedures.models import InstructorGroup, InstructorMembership, Procedure, ProcedureVersion

SIMPLE_DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [{"id": "objet", "type": "text", "label": "Objet de la demande", "required": True}],
        }
    ]
}


def _siret(n: int) -> str:
    body = f"{n:08d}"
    siren = body + luhn.calc_check_digit(body)
    partial = siren + "0001"
    return partial + luhn.calc_check_digit(partial)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("mot-de-passe-de-test")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    siret = factory.Sequence(lambda n: _siret(10_000_000 + n))


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A published procedure with one version and a default instructor group."""

    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Démarche {n}")
    slug = factory.Sequence(lambda n: f"demarche-{n}")
    summary = "Une démarche de test."
    draft_definition = factory.LazyFunction(lambda: SIMPLE_DEFINITION)
    status = Procedure.Status.PUBLISHED

    @factory.post_generation
    def version(self, create, extracted, **kwargs):
        if create and self.status != Procedure.Status.DRAFT:
            ProcedureVersion.objects.create(
                procedure=self, number=1, definition=self.draft_definition, published_at=self.created_at
            )

    @factory.post_generation
    def default_group(self, create, extracted, **kwargs):
        if create:
            InstructorGroup.objects.create(procedure=self, name="Groupe principal", is_default=True)


def instructor_of(procedure: Procedure, **kwargs) -> User:
    """A new instructor in the procedure's default group."""
    user = UserFactory(**kwargs)
    InstructorMembership.objects.create(group=procedure.instructor_groups.get(is_default=True), user=user)
    return user


# The transitions that bring a new draft to each state.
PATHS = {
    "submitted": [TransitionName.SUBMIT],
    "in_instruction": [TransitionName.SUBMIT, TransitionName.START_INSTRUCTION],
    "accepted": [TransitionName.SUBMIT, TransitionName.START_INSTRUCTION, TransitionName.ACCEPT],
    "refused": [TransitionName.SUBMIT, TransitionName.START_INSTRUCTION, TransitionName.REFUSE],
    "closed": [TransitionName.SUBMIT, TransitionName.START_INSTRUCTION, TransitionName.CLOSE],
    "withdrawn": [TransitionName.SUBMIT, TransitionName.WITHDRAW],
}


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(target_state="submitted")
        in_instruction = factory.Trait(target_state="in_instruction")
        accepted = factory.Trait(target_state="accepted")
        refused = factory.Trait(target_state="refused")
        closed = factory.Trait(target_state="closed")
        withdrawn = factory.Trait(target_state="withdrawn")

    procedure = factory.SubFactory(ProcedureFactory)
    version = factory.LazyAttribute(lambda o: o.procedure.versions.get(number=1))
    applicant = factory.SubFactory(UserFactory)
    answers = factory.LazyFunction(lambda: {"objet": "Une demande"})
    target_state = None

    @classmethod
    def _create(cls, model_class, *args, target_state=None, **kwargs):
        dossier = super()._create(model_class, *args, **kwargs)
        if target_state:
            instructor = instructor_of(dossier.procedure)
            for name in PATHS[target_state]:
                if name == TransitionName.SUBMIT:
                    # Through the service, so that the filed answers are frozen as in real life.
                    dossier_submit(actor=dossier.applicant, dossier=dossier)
                    continue
                actor = dossier.applicant if name == TransitionName.WITHDRAW else instructor
                dossier_transition(dossier=dossier, name=name, actor=actor, motivation="Motif de test.")
        return dossier


class ProgrammeEntryFactory(factory.django.DjangoModelFactory):
    """A procedure of the observatory's programme, not yet online unless given a procedure."""

    class Meta:
        model = "observatory.ProgrammeEntry"

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Démarche du programme {n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    """An indicator of the results barometer whose values the steering team enters."""

    class Meta:
        model = "observatory.Indicator"

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"indicateur-{n}")
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "%"
