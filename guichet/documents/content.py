"""What an act says: the values of its template's tags for a dossier (or for a sample dossier, in
the preview and in the check made at save time), and the template it uses."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from guichet.accounts.names import identity_display_name
from guichet.dossiers.deadlines import due_at_on_submission
from guichet.dossiers.models import Dossier, DossierState, TransitionLog
from guichet.procedures.definition import FieldType, FormDefinition, FormField
from guichet.procedures.formatting import answer_lines
from guichet.procedures.models import Procedure

from .defaults import DEFAULT_BODIES, DEFAULT_TITLES
from .models import ActKind, ActTemplate
from .templating import answer_function


@dataclass(frozen=True)
class TemplateText:
    """The template an act of one kind uses for a procedure: the administrators' or the default."""

    kind: ActKind
    title: str
    body: str
    signatory_name: str
    signatory_title: str
    is_default: bool


def template_text(procedure: Procedure, kind: ActKind) -> TemplateText:
    saved = ActTemplate.objects.filter(procedure=procedure, kind=kind).first()
    if saved is not None:
        return TemplateText(kind, saved.title, saved.body, saved.signatory_name, saved.signatory_title, False)
    return TemplateText(kind, DEFAULT_TITLES[kind], DEFAULT_BODIES[kind], "", "", True)


def _day(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), "j F Y")


def organisation_lines(organisation) -> dict[str, str]:
    address = ", ".join(
        part for part in (organisation.street_address, f"{organisation.postcode} {organisation.city}".strip()) if part
    )
    parents = []
    node = organisation.parent
    while node is not None:
        parents.append(node.name)
        node = node.parent
    return {"nom": organisation.name, "adresse": address, "rattachement": " — ".join(reversed(parents))}


def _silence(procedure: Procedure) -> dict[str, Any]:
    rule = procedure.silence_rule
    return {
        "silence": {"acceptance": "vaut accord", "refusal": "vaut rejet"}.get(rule, ""),
        "accord_implicite": rule == Procedure.SilenceRule.ACCEPTANCE,
        "rejet_implicite": rule == Procedure.SilenceRule.REFUSAL,
    }


def _answer_text(spec: FormField, value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    if spec.type == FieldType.BLOCK:
        rows = []
        for row in value if isinstance(value, list) else []:
            cells = [
                f"{child.label} : {', '.join(answer_lines(child, row.get(child.id)))}"
                for child in spec.fields
                if isinstance(row, dict) and row.get(child.id) not in (None, "", [], {})
            ]
            rows.append(" ; ".join(cells))
        return " / ".join(rows)
    return ", ".join(line for line in answer_lines(spec, value) if line)


def form_field_ids(form: FormDefinition | None) -> list[str]:
    return [field.id for field in form.iter_fields()] if form is not None else []


def dossier_context(
    dossier: Dossier,
    *,
    form: FormDefinition,
    answers: dict[str, Any],
    transition: TransitionLog | None,
    signatory_name: str,
    signatory_title: str,
    now: datetime,
) -> dict[str, Any]:
    """The tags' values for an act of this dossier."""
    procedure = dossier.procedure
    fields = {field.id: field for field in form.iter_fields()}
    identity = dossier.identity or {}
    given, family = identity.get("given_name", ""), identity.get("family_name", "")
    due = due_at_on_submission(procedure=procedure, submitted_at=dossier.submitted_at) if dossier.submitted_at else None
    decided_at = transition.at if transition is not None else dossier.decided_at
    motivation = transition.motivation if transition is not None else ""

    def lookup(field_id: str) -> str:
        spec = fields.get(field_id)
        return _answer_text(spec, answers.get(field_id)) if spec is not None else ""

    return {
        "dossier": {
            "numero": dossier.number or "",
            "date_depot": _day(dossier.submitted_at),
            "date_decision": _day(decided_at),
            "etat": dossier.get_state_display(),
        },
        "demarche": {"titre": procedure.title},
        "administration": organisation_lines(procedure.organisation),
        "groupe": {"nom": dossier.group.name if dossier.group_id else ""},
        "usager": {
            "prenom": given,
            "nom": family,
            "nom_complet": identity_display_name(identity),
            "courriel": identity.get("email", ""),
        },
        "delai": {
            "jours": procedure.processing_days or "",
            "date_limite": _day(due),
            **_silence(procedure),
        },
        "decision": {
            "date": _day(decided_at),
            "motivation": motivation,
            "implicite": transition is not None and transition.actor_role == TransitionLog.ActorRole.SYSTEM,
        },
        "motivation": motivation,
        "signataire": {"nom": signatory_name, "qualite": signatory_title},
        "date_acte": _day(now),
        "reponse": answer_function(lookup),
    }


def sample_context(
    procedure: Procedure,
    form: FormDefinition | None,
    *,
    kind: ActKind,
    signatory_name: str = "",
    signatory_title: str = "",
) -> dict[str, Any]:
    """A dossier that exists nowhere, with every tag filled: for the preview and for checking a
    template when it is saved."""
    now = timezone.now()
    fields = {field.id: field for field in form.iter_fields()} if form is not None else {}
    refused = kind == ActKind.REFUSAL
    motivation = (
        "Le projet ne respecte pas les prescriptions du règlement applicable (exemple de motivation)."
        if refused
        else "Le dossier est complet et conforme (exemple de motivation)."
    )
    due = due_at_on_submission(procedure=procedure, submitted_at=now)

    def lookup(field_id: str) -> str:
        spec = fields.get(field_id)
        return f"[{spec.label}]" if spec is not None else ""

    return {
        "dossier": {
            "numero": f"{now.year}-000042",
            "date_depot": _day(now),
            "date_decision": _day(now) if kind != ActKind.RECEIPT else "",
            "etat": str(
                {
                    "receipt": DossierState.SUBMITTED,
                    "acceptance": DossierState.ACCEPTED,
                    "refusal": DossierState.REFUSED,
                }[kind].label
            ),
        },
        "demarche": {"titre": procedure.title},
        "administration": organisation_lines(procedure.organisation),
        "groupe": {"nom": "Groupe instructeur (exemple)"},
        "usager": {
            "prenom": "Camille",
            "nom": "Exemple",
            "nom_complet": "Camille Exemple",
            "courriel": "camille@example.fr",
        },
        "delai": {"jours": procedure.processing_days or "", "date_limite": _day(due), **_silence(procedure)},
        "decision": {
            "date": _day(now) if kind != ActKind.RECEIPT else "",
            "motivation": motivation if kind != ActKind.RECEIPT else "",
            "implicite": False,
        },
        "motivation": motivation if kind != ActKind.RECEIPT else "",
        "signataire": {"nom": signatory_name or "Prénom Nom", "qualite": signatory_title or "Qualité du signataire"},
        "date_acte": _day(now),
        "reponse": answer_function(lookup),
    }
