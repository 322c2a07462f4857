"""The applicant's own data (RGPD, articles 15, 17 and 20): everything Guichet keeps about them, in
one ZIP (JSON and PDF), and the deletion of their account. Deleting an account deletes its drafts
and closes sign-in at once; the dossiers they filed follow their retention (a public archive is
not erased on request, RGPD article 17.3.b), and the account's identity is pseudonymised as soon as
none of them is kept any more (at once, or when the last one is eliminated: archives/purge.py)."""

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from guichet.accounts.closure import user_is_agent, user_pseudonymise, user_sign_in_close
from guichet.accounts.models import FranceConnectIdentity, User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.documents.models import Act, ActStatus
from guichet.dossiers.files import dossier_files_of_applicant
from guichet.dossiers.models import Dossier, DossierFile, DossierState
from guichet.dossiers.selectors import dossier_latest_snapshot, dossier_timeline
from guichet.dossiers.services import dossier_draft_delete
from guichet.dossiers.sourced import sourced_note

from .models import AccountClosure

DossierPdf = Callable[[Dossier], bytes]


def _account(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {
        "adresse_electronique": user.email,
        "prenom": user.first_name,
        "nom": user.last_name,
        "inscrit_le": user.date_joined,
        "derniere_connexion": user.last_login,
    }
    identity = FranceConnectIdentity.objects.filter(user=user).first()
    if identity is not None:
        data["identite_franceconnect"] = {
            "prenoms": identity.given_name,
            "nom_de_naissance": identity.family_name,
            "nom_d_usage": identity.preferred_username,
            "date_de_naissance": identity.birthdate,
            "commune_de_naissance": identity.birthplace,
            "pays_de_naissance": identity.birthcountry,
            "sexe": {"male": "masculin", "female": "féminin"}.get(identity.gender, ""),
            "adresse_transmise": identity.email,
        }
    return data


def _file_entry(stored: DossierFile) -> dict[str, Any]:
    return {"nom": stored.name, "taille": stored.size, "type": stored.content_type, "sha256": stored.sha256}


def _dossier(dossier: Dossier) -> dict[str, Any]:
    """What the applicant sees of their dossier (never the instructors' private annotations, nor
    the experts' opinions)."""
    snapshot = dossier_latest_snapshot(dossier) if not dossier.is_draft else None
    messages = [
        {
            "date": message.created_at,
            "de": message.get_author_role_display(),
            "message": message.body,
            "pieces_jointes": [file.name for file in message.files],
        }
        for message in dossier.messages.prefetch_related("attachments__file")
    ]
    acts = [
        {"acte": act.get_kind_display(), "code": act.code_display, "emis_le": act.issued_at, "sha256": act.sha256}
        for act in Act.objects.filter(dossier=dossier, status=ActStatus.ISSUED)
    ]
    return {
        "numero": dossier.number,
        "demarche": dossier.procedure.title,
        "etat": dossier.get_state_display(),
        "cree_le": dossier.created_at,
        "depose_le": dossier.submitted_at,
        "decide_le": dossier.decided_at,
        "reponses_deposees": snapshot.answers if snapshot else None,
        "reponses_en_cours": dossier.answers,
        "identite_deposee": dossier.identity,
        "historique": [
            {"date": event.at, "evenement": event.title, "texte": event.text, "details": event.details}
            for event in (dossier_timeline(dossier) if not dossier.is_draft else [])
        ],
        "donnees_issues_de_sources": [
            {"champ": row.field_id, "valeur": row.value, "origine": sourced_note(row), "consentement": row.consent}
            for row in dossier.sourced_values.order_by("field_id")
        ],
        "messages": messages,
        "actes": acts,
        "pieces_jointes": [_file_entry(stored) for stored in dossier_files_of_applicant(dossier)],
    }


def _dossier_name(dossier: Dossier) -> str:
    return f"dossier-{dossier.number}" if dossier.number else f"brouillon-{dossier.pk}"


def _copy(field_file, archive: zipfile.ZipFile, name: str) -> None:
    with field_file.open("rb") as source, archive.open(name, "w") as target:
        while chunk := source.read(1 << 16):
            target.write(chunk)


@transaction.atomic
def account_data_export(*, user: User, out: BinaryIO, dossier_pdf: DossierPdf) -> int:
    """Write into `out` a ZIP of everything about `user`: `donnees.json` (account, dossiers with
    answers, history, messages, acts), each dossier as PDF, its acts and its files. Returns how many
    dossiers it holds. Audited (the download is itself a processing of personal data)."""
    dossiers = list(Dossier.objects.filter(applicant=user).select_related("procedure").order_by("created_at", "pk"))
    data = {
        "plateforme": "Guichet",
        "exporte_le": timezone.now(),
        "compte": _account(user),
        "dossiers": [_dossier(dossier) for dossier in dossiers],
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "donnees.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=False)
        )
        for dossier in dossiers:
            folder = _dossier_name(dossier)
            archive.writestr(f"{folder}/{folder}.pdf", dossier_pdf(dossier))
            for act in Act.objects.filter(dossier=dossier, status=ActStatus.ISSUED).exclude(pdf=""):
                _copy(act.pdf, archive, f"{folder}/actes/{act.file_name}")
            for stored in dossier_files_of_applicant(dossier):
                _copy(stored.content, archive, f"{folder}/pieces-jointes/{stored.key.hex[:8]}-{stored.name}")
    audit_record(actor=user, action=AuditAction.ACCOUNT_DATA_EXPORT, target=user, details={"dossiers": len(dossiers)})
    return len(dossiers)


@dataclass(frozen=True)
class AccountDeletion:
    drafts_deleted: int
    dossiers_kept: int  # filed dossiers still kept for their retention

    @property
    def pseudonymised(self) -> bool:
        return self.dossiers_kept == 0


def account_deletion_preview(user: User) -> AccountDeletion:
    """What deleting the account would do now (for the confirmation page)."""
    mine = Dossier.objects.filter(applicant=user)
    return AccountDeletion(
        drafts_deleted=mine.filter(state=DossierState.DRAFT).count(),
        dossiers_kept=mine.exclude(state=DossierState.DRAFT).count(),
    )


@transaction.atomic
def account_delete(*, user: User) -> AccountDeletion:
    """The applicant deletes their own account: their drafts are deleted, they can no longer sign
    in, and their identity is pseudonymised at once when nothing they filed is still kept (else
    when the last of their filed dossiers is eliminated). An agent's account is closed by their
    administration, not here."""
    if user_is_agent(user):
        raise PermissionDenied(
            "Un compte d’agent est fermé par l’administrateur de son organisation, pas depuis cette page."
        )
    drafts = list(Dossier.objects.filter(applicant=user, state=DossierState.DRAFT))
    for draft in drafts:
        dossier_draft_delete(actor=user, dossier=draft)
    kept = Dossier.objects.filter(applicant=user).count()
    now = timezone.now()
    closure, _ = AccountClosure.objects.get_or_create(user=user, defaults={"closed_at": now})
    audit_record(
        actor=user,
        action=AuditAction.ACCOUNT_DELETE,
        target=user,
        details={"drafts": len(drafts), "dossiers_kept": kept, "pseudonymised": kept == 0},
    )
    if kept == 0:
        user_pseudonymise(user)
        AccountClosure.objects.filter(pk=closure.pk).update(pseudonymised_at=now)
    else:
        user_sign_in_close(user)
    return AccountDeletion(drafts_deleted=len(drafts), dossiers_kept=kept)
