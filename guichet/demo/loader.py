"""Loads the demonstration data through the same services as real use, so that every dossier has
its transition log and every write its audit event. Loading twice changes nothing."""

import copy
import random
from dataclasses import dataclass

from django.db import transaction

from guichet.accounts.models import Organisation, OrganisationRole, User
from guichet.accounts.second_factor import totp_device_install
from guichet.accounts.services import organisation_create, organisation_role_grant, user_create
from guichet.core.clock import clock_set
from guichet.dossiers.models import Dossier, TransitionName
from guichet.dossiers.services import dossier_create, dossier_submit
from guichet.dossiers.workflow import dossier_transition
from guichet.instruction.followup.chain import followups_quiet
from guichet.instruction.services import expert_invite
from guichet.payments.selectors import procedure_charges
from guichet.procedures.exchange import procedure_import
from guichet.procedures.models import Procedure
from guichet.procedures.services import instructor_group_add_member, procedure_publish

from .answers import REFERENCE_DATE
from .archives import demo_archives_load
from .hubee import demo_hubee_load
from .integrations import demo_integrations_load
from .invoices import demo_dossier_answers, demo_invoices_load
from .observatory import demo_observatory_load
from .panorama import demo_panorama_load
from .payments import demo_fee_dossiers
from .procedures import PROCEDURES, DemoProcedure

DEMO_PASSWORD = "Demo-Guichet-2026"  # noqa: S105 (published on purpose: demonstration accounts)
# The demonstration agents' authenticator app (the second factor is mandatory for agents): add this
# key to any TOTP app, or compute the code with `pyotp.TOTP(DEMO_TOTP_SECRET).now()`.
DEMO_TOTP_SECRET = "GUICHETDEMOTOTPGUICHETDEMOTOTPAA"  # noqa: S105 (published on purpose)


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: Organisation.Kind
    siret: str
    street_address: str
    postcode: str
    city: str
    parent_slug: str | None = None


ORGANISATIONS = (
    DemoOrganisation(
        "ministere-culture", "Ministère de la Culture", Organisation.Kind.MINISTRY,
        "11004601800013", "182 rue Saint-Honoré", "75001", "Paris",
    ),
    DemoOrganisation(
        "drac-ile-de-france", "Direction régionale des affaires culturelles d’Île-de-France",
        Organisation.Kind.DIRECTORATE, "13000701600012", "45-47 rue Le Peletier", "75009", "Paris",
        parent_slug="ministere-culture",
    ),
    DemoOrganisation(
        "mairie-sainte-croix-en-val", "Mairie de Sainte-Croix-en-Val", Organisation.Kind.MUNICIPALITY,
        "21450999400015", "1 place de la Mairie", "45999", "Sainte-Croix-en-Val",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    description: str


SUPERADMIN = DemoAccount("superadmin@demo.guichet.fr", "Sam", "Admin", "super-administrateur (/admin/)")
ADMINISTRATOR = DemoAccount("administrateur@demo.guichet.fr", "Alice", "Moreau", "administratrice des démarches")
INSTRUCTOR_CULTURE = DemoAccount(
    "instructeur.udap@demo.guichet.fr", "Bruno", "Lefèvre", "instructeur, UDAP Paris (travaux sur monument)"
)
INSTRUCTOR_TOWN = DemoAccount(
    "instructrice.mairie@demo.guichet.fr",
    "Chloé",
    "Garnier",
    "instructrice, mairie (état civil, élections, associations)",
)
EXPERT = DemoAccount(
    "expert@demo.guichet.fr", "Denis", "Roussel", "expert (conservation régionale des monuments historiques)"
)
STEERING = DemoAccount("pilotage@demo.guichet.fr", "Élise", "Fontaine", "pilotage (observatoire)")
ARCHIVIST = DemoAccount("archives@demo.guichet.fr", "Fanny", "Girard", "archiviste (service d’archives, /archives/)")
APPLICANTS = (
    DemoAccount("camille.martin@demo.guichet.fr", "Camille", "Martin", "usagère"),
    DemoAccount("karim.benali@demo.guichet.fr", "Karim", "Benali", "usager"),
    DemoAccount("lea.dubois@demo.guichet.fr", "Léa", "Dubois", "usagère"),
    DemoAccount("thomas.nguyen@demo.guichet.fr", "Thomas", "Nguyen", "usager"),
)
ACCOUNTS = (
    SUPERADMIN, ADMINISTRATOR, INSTRUCTOR_CULTURE, INSTRUCTOR_TOWN, EXPERT, STEERING, ARCHIVIST, *APPLICANTS,
)  # fmt: skip

# How many demo dossiers of each procedure end in each state; "correction" is a dossier sent back
# to its applicant for corrections.
DOSSIER_PLAN = (
    ("draft", 6), ("submitted", 6), ("in_instruction", 6), ("correction", 2),
    ("accepted", 6), ("refused", 6), ("closed", 6), ("withdrawn", 6),
)  # fmt: skip

STEPS: dict[str, list[tuple[TransitionName, str]]] = {
    "draft": [],
    "submitted": [(TransitionName.SUBMIT, "")],
    "in_instruction": [(TransitionName.SUBMIT, ""), (TransitionName.START_INSTRUCTION, "")],
    "correction": [
        (TransitionName.SUBMIT, ""),
        (TransitionName.START_INSTRUCTION, ""),
        (
            TransitionName.REQUEST_CORRECTION,
            "Une pièce justificative est illisible : merci de la déposer à nouveau.",
        ),
    ],
    "accepted": [
        (TransitionName.SUBMIT, ""),
        (TransitionName.START_INSTRUCTION, ""),
        (TransitionName.ACCEPT, ""),
    ],
    "refused": [
        (TransitionName.SUBMIT, ""),
        (TransitionName.START_INSTRUCTION, ""),
        (TransitionName.REFUSE, "Le dossier ne remplit pas les conditions prévues par la réglementation."),
    ],
    "closed": [
        (TransitionName.SUBMIT, ""),
        (TransitionName.START_INSTRUCTION, ""),
        (TransitionName.CLOSE, "Le demandeur a indiqué renoncer à sa demande."),
    ],
    "withdrawn": [
        (TransitionName.SUBMIT, ""),
        (TransitionName.WITHDRAW, "Je n’ai finalement plus besoin de cette démarche."),
    ],
}


def _user(account: DemoAccount, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=account.email).first()
    if user is None:
        user = user_create(
            actor=None,
            email=account.email,
            password=DEMO_PASSWORD,
            first_name=account.first_name,
            last_name=account.last_name,
            is_superuser=superuser,
        )
    return user


def _organisations(actor: User) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    for demo in ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=demo.slug).first()
        if organisation is None:
            organisation = organisation_create(
                actor=actor,
                name=demo.name,
                slug=demo.slug,
                siret=demo.siret,
                kind=demo.kind,
                parent=organisations.get(demo.parent_slug) if demo.parent_slug else None,
                street_address=demo.street_address,
                postcode=demo.postcode,
                city=demo.city,
            )
        organisations[demo.slug] = organisation
    return organisations


def _procedure(demo: DemoProcedure, actor: User) -> Procedure:
    procedure = Procedure.objects.filter(slug=demo.slug).first()
    if procedure is None:
        # As `manage.py procedure_import` does: the document's settings, organisation, groups and form.
        procedure = procedure_import(actor=actor, data=copy.deepcopy(demo.document))
    if not procedure.versions.exists():
        procedure_publish(actor=actor, procedure=procedure)
    return procedure


def _dossiers(procedure: Procedure, instructor: User, expert: User | None, applicants: list[User], seed: int) -> None:
    if Dossier.objects.filter(procedure=procedure).exists():
        return
    rng = random.Random(seed)
    if procedure_charges(procedure):
        demo_fee_dossiers(procedure, instructor, applicants, rng)
        return
    definition = procedure.latest_version.definition
    position = 0
    for final_state, count in DOSSIER_PLAN:
        for _ in range(count):
            applicant = applicants[position % len(applicants)]
            position += 1
            answers = demo_dossier_answers(procedure.slug, definition, rng, final_state=final_state)
            dossier = dossier_create(actor=applicant, procedure=procedure, answers=answers)
            for name, motivation in STEPS[final_state]:
                if name == TransitionName.SUBMIT:
                    dossier_submit(actor=applicant, dossier=dossier)
                    continue
                actor = applicant if name == TransitionName.WITHDRAW else instructor
                dossier_transition(dossier=dossier, name=name, actor=actor, motivation=motivation)
            if expert is not None and final_state == "in_instruction":
                expert_invite(
                    actor=instructor,
                    dossier=dossier,
                    expert=expert,
                    question="Les travaux envisagés sont-ils compatibles avec la conservation de l’édifice ?",
                )


def demo_load() -> list[DemoAccount]:
    """Create (or leave as they are) the demo organisations, accounts, procedures and dossiers.
    The dossiers are filed "in the past": the rules see the demo's day, and what follows each
    transition tells nobody (no email), while the worker still issues every receipt and decision act."""
    with clock_set(REFERENCE_DATE), followups_quiet(), transaction.atomic():
        return _demo_load()


def _demo_load() -> list[DemoAccount]:
    superadmin = _user(SUPERADMIN, superuser=True)
    organisations = _organisations(superadmin)
    administrator = _user(ADMINISTRATOR)
    steering = _user(STEERING)
    archivist = _user(ARCHIVIST)
    for slug in ("ministere-culture", "mairie-sainte-croix-en-val"):
        organisation_role_grant(
            actor=superadmin,
            user=administrator,
            organisation=organisations[slug],
            role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR,
        )
        organisation_role_grant(
            actor=superadmin,
            user=steering,
            organisation=organisations[slug],
            role=OrganisationRole.Role.STEERING,
        )
        # The archives service of both: the ministry's role covers its regional directorate.
        organisation_role_grant(
            actor=superadmin, user=archivist, organisation=organisations[slug], role=OrganisationRole.Role.ARCHIVIST
        )
    instructor_culture = _user(INSTRUCTOR_CULTURE)
    instructor_town = _user(INSTRUCTOR_TOWN)
    expert = _user(EXPERT)
    applicants = [_user(account) for account in APPLICANTS]

    instructors = {}
    for seed, demo in enumerate(PROCEDURES):
        procedure = _procedure(demo, administrator)
        is_culture = procedure.organisation_id != organisations["mairie-sainte-croix-en-val"].pk
        instructor = instructors[demo.slug] = instructor_culture if is_culture else instructor_town
        default_group = procedure.instructor_groups.get(is_default=True)
        instructor_group_add_member(actor=administrator, group=default_group, user=instructor)
        _dossiers(procedure, instructor, expert if is_culture else None, applicants, seed)
    demo_observatory_load(steering=steering, organisations=organisations, instructors=instructors)
    demo_panorama_load(superadmin=superadmin, steering=steering)
    demo_archives_load(instructors=instructors, applicants=applicants)
    demo_invoices_load()
    # Last: the subscription hears of nothing the demo's past dossiers did.
    demo_integrations_load(administrator=administrator, town=organisations["mairie-sainte-croix-en-val"])
    demo_hubee_load(administrator=administrator, town=organisations["mairie-sainte-croix-en-val"])
    for agent in (superadmin, administrator, steering, archivist, instructor_culture, instructor_town, expert):
        totp_device_install(actor=superadmin, user=agent, secret=DEMO_TOTP_SECRET)
    return list(ACCOUNTS)
