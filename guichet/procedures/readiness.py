"""What an administrator must fix, or should check, before a procedure goes live: the list the
publication's confirmation step shows (www/admin_procedures/procedures.py), and the blocking part
that procedure_publish enforces whatever the screen.

Blocking: what would make the published procedure unusable (a form with no question, a closing date
already past). Warnings: what is lawful but often forgotten (no processing deadline, a group without
instructors, no postal address for the receipt, the default act texts). The apps above add their own
checks through the `publication_checks_asked` hook (the documents app checks the act templates)."""

from dataclasses import dataclass

from django.utils import timezone

from .definition import DefinitionInvalid, definition_validate
from .hooks import publication_checks_asked
from .models import Procedure


@dataclass(frozen=True)
class PublicationCheck:
    """One line of the confirmation step: `where` names the builder's screen that fixes it
    (a URL name of admin_procedures: "settings", "form", "groups", "acts"), or is empty."""

    message: str
    blocking: bool = False
    where: str = ""


def _form_checks(procedure: Procedure) -> list[PublicationCheck]:
    try:
        form = definition_validate(procedure.draft_definition)
    except DefinitionInvalid:
        return [PublicationCheck("Le formulaire contient des erreurs à corriger.", blocking=True, where="form")]
    if not any(True for _ in form.iter_fields()):
        return [PublicationCheck("Le formulaire ne contient aucune question.", blocking=True, where="form")]
    return []


def _settings_checks(procedure: Procedure) -> list[PublicationCheck]:
    checks = []
    today = timezone.localdate()
    if procedure.closes_on is not None and procedure.closes_on < today:
        checks.append(
            PublicationCheck(
                f"La date de clôture ({procedure.closes_on:%d/%m/%Y}) est passée : "
                "la démarche n’accepterait aucun dossier.",
                blocking=True,
                where="settings",
            )
        )
    if procedure.processing_days is None:
        checks.append(
            PublicationCheck(
                "Aucun délai d’instruction n’est fixé : les usagers ne sauront pas quand attendre une réponse, "
                "et l’accusé de réception dira que le silence de l’administration ne vaut pas décision.",
                where="settings",
            )
        )
    if not (procedure.data_needed.strip() or procedure.description.strip()):
        checks.append(
            PublicationCheck("La page publique ne décrit pas la démarche ni les pièces à préparer.", where="settings")
        )
    organisation = procedure.organisation
    if not (organisation.street_address and organisation.postcode and organisation.city):
        checks.append(
            PublicationCheck(
                f"L’adresse postale de « {organisation.name} » n’est pas complète : l’accusé de réception "
                "ne pourra pas indiquer où joindre le service chargé des dossiers."
            )
        )
    return checks


def _group_checks(procedure: Procedure) -> list[PublicationCheck]:
    groups = list(procedure.instructor_groups.order_by("name").prefetch_related("memberships"))
    staffed = [group for group in groups if group.memberships.all()]
    if not staffed:
        return [
            PublicationCheck(
                "Aucun instructeur n’est désigné : les dossiers déposés n’arriveront chez personne "
                "(et le délai d’instruction courra quand même).",
                where="groups",
            )
        ]
    return [
        PublicationCheck(
            f"Le groupe instructeur « {group.name} » n’a aucun membre : ses dossiers ne seront traités par personne.",
            where="groups",
        )
        for group in groups
        if group not in staffed
    ]


def procedure_publication_checks(procedure: Procedure) -> list[PublicationCheck]:
    """Everything to fix (blocking first) or check before publishing `procedure`."""
    checks = [*_form_checks(procedure), *_settings_checks(procedure), *_group_checks(procedure)]
    publication_checks_asked.send(procedure=procedure, checks=checks)
    return sorted(checks, key=lambda check: not check.blocking)


def procedure_publication_blockers(procedure: Procedure) -> list[str]:
    """The messages of the blocking checks: what procedure_publish refuses to publish."""
    return [check.message for check in procedure_publication_checks(procedure) if check.blocking]
