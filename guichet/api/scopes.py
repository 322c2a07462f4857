"""What a token may do through the API: its scopes. A service account holds the scopes its
administrators ticked; a person's key holds those their roles give (principals.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    DOSSIERS_READ = "dossiers:read", _("Lire les dossiers (réponses, pièces jointes, actes, historique)")
    ANNOTATIONS_WRITE = "annotations:write", _("Écrire les annotations privées et poser les étiquettes")
    DOSSIERS_INSTRUCT = (
        "dossiers:instruct",
        _("Instruire : passer en instruction, demander des corrections, décider, attribuer"),
    )
    MESSAGES_WRITE = "messages:write", _("Envoyer des messages aux usagers")
    DOSSIERS_CREATE = "dossiers:create", _("Créer des dossiers préremplis")
    STATISTICS_READ = "statistics:read", _("Lire les statistiques")
    EXPORTS_READ = "exports:read", _("Exporter les dossiers")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Gérer les abonnements aux événements (webhooks)")
    RETENTION_READ = "retention:read", _("Lire les règles de conservation et d’archivage des démarches")


# What an instructor's own key may do (with the instructor's rights, on their groups' dossiers).
INSTRUCTOR_SCOPES = frozenset(
    {Scope.DOSSIERS_READ, Scope.ANNOTATIONS_WRITE, Scope.DOSSIERS_INSTRUCT, Scope.MESSAGES_WRITE, Scope.EXPORTS_READ}
)
# What a steering user's own key may do.
STEERING_SCOPES = frozenset({Scope.STATISTICS_READ})


def scopes_valid(values) -> list[str]:
    """The scopes among `values`, in Scope's order, each once; ValueError naming an unknown one."""
    wanted = set(values)
    unknown = wanted - set(Scope.values)
    if unknown:
        raise ValueError(f"Droit inconnu : « {sorted(unknown)[0]} ».")
    return [scope for scope in Scope.values if scope in wanted]
