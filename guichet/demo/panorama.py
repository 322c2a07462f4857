"""The panorama's demonstration data: the projects that the seeds name, with the figures they state
(kept as the initial forecasts and published in the first edition), kept by the steering team of a
demo DINUM, and two editions of 2017 (end of February, summer), the second with updated forecasts,
so that the drifts show. Through the same services as real use; loading twice changes nothing."""

from datetime import date
from decimal import Decimal

from guichet.accounts.models import Organisation, OrganisationRole, User
from guichet.accounts.services import organisation_create, organisation_role_grant
from guichet.observatory.models import InclusionCriterion, PanoramaEdition, ProjectPhase
from guichet.observatory.panorama.services import (
    digital_project_create,
    digital_project_update,
    panorama_edition_create,
    panorama_edition_publish,
)
from guichet.procedures.models import Procedure

DINUM = ("dinum", "Direction interministérielle du numérique (DINUM)", "13000253800002")
MEF = ("MEF", "Ministère de l’Économie et des Finances")

# (ministry, name, description, interministerial, local authorities, start, years, phase, M€,
#  criterion, lead, procedures of Guichet it serves): the seeds' figures.
PROJECTS = (
    (MEF, "Chorus Pro", "Portail unique de facturation : les fournisseurs de toutes les entités publiques "
     "(État, collectivités, établissements publics) y déposent et suivent leurs factures.",
     True, True, None, None, ProjectPhase.ROLLOUT, "25", InclusionCriterion.COST,
     "Agence pour l’informatique financière de l’État (AIFE)", ()),
    (("MJ", "Ministère de la Justice"), "Comedec", "Échange dématérialisé des données d’état civil entre les "
     "mairies et les administrations (notaires, préfectures, passeports) : plus de copie papier à demander.",
     True, True, date(2008, 1, 1), "13", ProjectPhase.ROLLOUT, "21", InclusionCriterion.COST,
     "Direction des affaires civiles et du sceau", ("copie-integrale-acte-de-naissance",)),
    (MEF, "Homère", "Outils du recensement de la population partagés entre l’Insee et les mairies.",
     False, True, date(2009, 9, 1), None, ProjectPhase.ROLLOUT, "3.3", InclusionCriterion.IMPACT,
     "Insee", ()),
    (("MENESR", "Ministère de l’Éducation nationale, de l’Enseignement supérieur et de la Recherche"),
     "Livret scolaire unique", "Un livret scolaire numérique unique du CP à la troisième, consultable par "
     "les familles.", False, False, date(2014, 6, 1), "3.6", ProjectPhase.ROLLOUT, "2",
     InclusionCriterion.IMPACT, "Direction du numérique pour l’éducation", ()),
    (("MI", "Ministère de l’Intérieur"), "Desta", "Contestation en ligne des avis de contravention et des "
     "forfaits post-stationnement.", False, True, None, None, ProjectPhase.BUILD, "13.3",
     InclusionCriterion.COST, "Agence nationale de traitement automatisé des infractions (ANTAI)", ()),
    (MEF, "PIB/Mistral", "Refonte des outils bancaires de la DGFiP (tenue des comptes des collectivités et "
     "des établissements publics, moyens de paiement).", False, True, date(2014, 1, 1), "8",
     ProjectPhase.BUILD, "26.6", InclusionCriterion.COST, "Direction générale des finances publiques", ()),
)  # fmt: skip

# The forecasts of the summer edition (project: current years, current M€).
SUMMER = {
    "Comedec": ("14", "23.5"),
    "Livret scolaire unique": ("4.1", "2"),
    "Desta": (None, "15.1"),
    "PIB/Mistral": ("9", "29.3"),
    "Chorus Pro": (None, "27.4"),
}
EDITIONS = (("Édition de février 2017", date(2017, 2, 28)), ("Édition de l’été 2017", date(2017, 7, 31)))


def _dinum(superadmin: User, steering: User) -> Organisation:
    slug, name, siret = DINUM
    organisation = Organisation.objects.filter(slug=slug).first() or organisation_create(
        actor=superadmin, name=name, slug=slug, siret=siret, kind=Organisation.Kind.OTHER, city="Paris"
    )
    organisation_role_grant(
        actor=superadmin, user=steering, organisation=organisation, role=OrganisationRole.Role.STEERING
    )
    return organisation


def _projects(steering: User, organisation: Organisation) -> dict:
    projects = {}
    for (
        code,
        ministry,
    ), name, description, inter, local, start, years, phase, cost, criterion, lead, slugs in PROJECTS:
        projects[name] = digital_project_create(
            actor=steering,
            organisation=organisation,
            procedures=Procedure.objects.filter(slug__in=slugs),
            ministry_code=code,
            ministry_name=ministry,
            name=name,
            description=description,
            interministerial=inter,
            local_authorities=local,
            start_date=start,
            duration_initial_years=Decimal(years) if years else None,
            duration_current_years=Decimal(years) if years else None,
            phase=phase,
            cost_initial_meur=Decimal(cost),
            cost_current_meur=Decimal(cost),
            inclusion_criterion=criterion,
            lead=lead,
        )
    return projects


def demo_panorama_load(*, superadmin: User, steering: User) -> None:
    """The seeds' projects and the two editions of 2017 (only once)."""
    organisation = _dinum(superadmin, steering)
    if PanoramaEdition.objects.filter(organisation=organisation).exists():
        return
    projects = _projects(steering, organisation)
    (first_title, first_day), (summer_title, summer_day) = EDITIONS
    first = panorama_edition_create(
        actor=steering, organisation=organisation, title=first_title, published_on=first_day
    )
    panorama_edition_publish(actor=steering, edition=first)
    for name, (years, cost) in SUMMER.items():
        values = {"cost_current_meur": Decimal(cost)}
        if years:
            values["duration_current_years"] = Decimal(years)
        digital_project_update(actor=steering, project=projects[name], **values)
    summer = panorama_edition_create(
        actor=steering, organisation=organisation, title=summer_title, published_on=summer_day
    )
    panorama_edition_publish(actor=steering, edition=summer)
