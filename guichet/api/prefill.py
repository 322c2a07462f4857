"""Prefilled dossiers (« préremplissage »): a partner's software gives some answers for someone, and
gets a one-use link to send them; following it, that person signs in (or signs up), claims the
draft and completes it (dossiers/prefill.py, the screens in www/usager/prefill.py)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.responses import Status

from guichet.dossiers.prefill import PrefillInvalid, prefilled_draft_create

from .errors import examples, responses
from .principals import principal_of
from .scopes import Scope

router = Router(tags=["dossiers préremplis"])


class PrefillIn(Schema):
    model_config = examples({"answers": {"objet": "Aide à l’achat d’un vélo", "montant": 300}})

    answers: dict[str, Any] = Field(
        description="Les réponses, par identifiant de champ du formulaire publié, dans la forme que lit "
        "`GET` d’un dossier (un bloc : une liste de lignes). Les champs obligatoires peuvent rester vides : "
        "l’usager complète. Les pièces jointes, les champs calculés et les dossiers liés ne se préremplissent pas."
    )


class PrefillOut(Schema):
    id: int
    link: str = Field(
        description="Le lien à transmettre à l’usager : il sert une seule fois. Montré cette fois seulement."
    )
    expires_at: datetime
    procedure: str
    version: int = Field(description="Le numéro de la version du formulaire que les réponses suivent.")


def _codes() -> dict:
    codes = responses(PrefillOut, not_found=True, extra=(409,))
    codes[201] = codes.pop(200)
    return codes


@router.post(
    "/{slug}/prefilled",
    response=_codes(),
    summary="Créer un dossier prérempli",
    description="Droit `dossiers:create`. Les réponses sont vérifiées comme toute réponse au formulaire publié : "
    "un identifiant inconnu ou une valeur refusée répond 422, chaque erreur avec son champ (`errors[].loc` : "
    '`["body", "prefill", "answers", "<champ>", …]`) et son message. Répond 409 quand la démarche '
    "n’accepte pas de nouveaux dossiers. Le lien expire au bout de "
    f"{settings.GUICHET_PREFILL_LINK_DAYS} jours.",
)
def prefilled_create(request: HttpRequest, slug: str, prefill: PrefillIn):
    principal = principal_of(request)
    procedure = principal.procedure_or_404(slug, Scope.DOSSIERS_CREATE)
    try:
        made = prefilled_draft_create(
            procedure=procedure, answers=prefill.answers, actor=principal.user, actor_label=principal.label
        )
    except PrefillInvalid as error:
        raise ValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ["body", "prefill", "answers", *path.split(".")],
                    "msg": message,
                    "field": path,
                }
                for path, message in error.errors.items()
            ]
        ) from None
    except DjangoValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from None
    draft = made.draft
    return Status(
        201,
        {
            "id": draft.pk,
            "link": settings.GUICHET_SITE_URL + reverse("usager:prefill_claim", args=[made.token]),
            "expires_at": draft.expires_at,
            "procedure": procedure.slug,
            "version": draft.version.number,
        },
    )
