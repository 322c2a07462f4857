"""Who acts on a dossier: a person (a User), or software acting on the instructors' side through the
API with a service account, which is nobody's account. The layers above decide what such software
may reach (api.principals) and hand it down as the dossiers it may act on, so that the services'
own checks (instructor_can_act_on) still hold for it, instead of being skipped."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from guichet.accounts.models import User

if TYPE_CHECKING:
    from .models import Dossier


@dataclass(frozen=True)
class ServiceActor:
    """Software acting as the instructors do, on the dossiers of `dossiers` only. `label` names it in
    the audit trail and wherever a person's name would be shown (« Compte de service : X (Organisation) »)."""

    label: str
    dossiers: "QuerySet[Dossier]"

    def can_act_on(self, dossier: "Dossier") -> bool:
        return self.dossiers.filter(pk=dossier.pk).exists()


Actor = User | ServiceActor


def actor_user(actor: Actor | None) -> User | None:
    """The person who acted, for the foreign keys that name one; None for software (or the platform)."""
    return actor if isinstance(actor, User) else None


def actor_label(actor: Actor | None) -> str:
    """How the audit trail names an actor that is not a person; "" lets it name the person."""
    return actor.label if isinstance(actor, ServiceActor) else ""
