"""Prefilled dossiers: a partner's software creates one through the API (answers checked against the
published form, located errors), the applicant follows the one-use link, signs in and claims it once."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import Dossier, DossierState, PrefilledDraft
from guichet.dossiers.prefill import prefill_token_digest
from guichet.procedures.models import Procedure
from tests.api.keys import bearer, person_key, service_account, service_key
from tests.factories import ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

DEFINITION = {
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "objet", "type": "text", "label": "Objet de la demande", "required": True},
                {"id": "enfants", "type": "integer", "label": "Nombre d’enfants", "min": 0, "max": 20},
                {"id": "justificatif", "type": "file", "label": "Justificatif"},
                {
                    "id": "vehicules",
                    "type": "block",
                    "label": "Véhicules",
                    "fields": [{"id": "immatriculation", "type": "text", "label": "Immatriculation", "max_length": 9}],
                },
            ],
        },
        {
            "id": "coordonnees",
            "title": "Vos coordonnées",
            "fields": [{"id": "telephone", "type": "phone", "label": "Téléphone", "required": True}],
        },
    ]
}
GOOD = {"objet": "Aide au permis", "enfants": 2, "vehicules": [{"immatriculation": "AB-123-CD"}]}


@pytest.fixture
def procedure():
    return ProcedureFactory(slug="aide-permis", draft_definition=DEFINITION)


@pytest.fixture
def partner(procedure):
    account = service_account(procedure.organisation, ["dossiers:create"], name="Mission locale")
    return {"headers": bearer(service_key(account)), "label": account.label}


def create(client, headers, answers, slug="aide-permis"):
    return client.post(
        f"/api/v1/procedures/{slug}/prefilled", {"answers": answers}, content_type="application/json", headers=headers
    )


def test_the_journey_partner_creates_applicant_claims_once(client, procedure, partner):
    made = create(client, partner["headers"], GOOD)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["procedure"] == "aide-permis" and body["version"] == 1
    link = urlsplit(body["link"])
    token = link.path.rstrip("/").rsplit("/", 1)[-1]
    # Only the token's digest is kept; the record names who made it.
    draft = PrefilledDraft.objects.get()
    assert draft.token_sha256 == prefill_token_digest(token) and token not in str(draft.__dict__)
    assert draft.created_by_label == partner["label"]
    assert AuditEvent.objects.get(action=AuditAction.DOSSIER_PREFILL_CREATE).actor_label == partner["label"]
    assert not Dossier.objects.exists()  # nobody to own it yet

    # Not signed in: the page says what waits, and signing in (or up) comes back here.
    page = client.get(link.path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Un dossier prérempli vous attend" in text and procedure.title in text
    assert f"/compte/connexion/?next={link.path.replace('/', '%2F')}" in text
    assert f"/compte/inscription/?next={link.path.replace('/', '%2F')}" in text

    applicant = UserFactory()
    client.force_login(applicant)
    assert "Reprendre ce dossier" in client.get(link.path).content.decode()
    claimed = client.post(link.path)
    dossier = Dossier.objects.get()
    assert claimed.status_code == 302 and claimed["Location"] == f"/mes-dossiers/{dossier.pk}/page/1/"
    assert dossier.applicant == applicant and dossier.state == DossierState.DRAFT
    assert dossier.answers == GOOD
    # The first page shows the prefilled answers.
    assert "Aide au permis" in client.get(claimed["Location"]).content.decode()
    assert AuditEvent.objects.get(action=AuditAction.DOSSIER_PREFILL_CLAIM).actor == applicant

    # A double click gives the same draft back; anyone else is told plainly.
    assert client.post(link.path)["Location"] == claimed["Location"]
    assert Dossier.objects.count() == 1
    client.force_login(UserFactory())
    for second in (client.get(link.path), client.post(link.path)):
        assert second.status_code == 410
        assert "Ce lien a déjà été utilisé" in second.content.decode()
    client.logout()
    assert "Ce lien a déjà été utilisé" in client.get(link.path).content.decode()
    assert Dossier.objects.count() == 1


def test_an_expired_or_unknown_link_is_refused_plainly(client, procedure, partner, settings):
    settings.GUICHET_PREFILL_LINK_DAYS = 30
    link = urlsplit(create(client, partner["headers"], GOOD).json()["link"]).path
    draft = PrefilledDraft.objects.get()
    assert timedelta(days=29) < draft.expires_at - timezone.now() <= timedelta(days=30)
    PrefilledDraft.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(UserFactory())
    for answer in (client.get(link), client.post(link)):
        assert answer.status_code == 410 and "Ce lien a expiré" in answer.content.decode()
    assert not Dossier.objects.exists()
    unknown = client.get("/pre-rempli/nimportequoi/")
    assert unknown.status_code == 404 and "Ce lien n’est pas valide" in unknown.content.decode()


def test_answers_that_break_the_form_are_refused_with_located_errors(client, procedure, partner):
    answer = create(
        client,
        partner["headers"],
        {
            "objet": 12,
            "enfants": 40,
            "inconnu": "?",
            "justificatif": {"name": "a.pdf"},
            "vehicules": [{"immatriculation": "TROP-LONGUE-1"}, {"autre": "x"}],
            "telephone": "pas un numéro",
        },
    )
    assert answer.status_code == 422
    errors = {error["field"]: error for error in answer.json()["errors"]}
    assert set(errors) == {
        "objet",
        "enfants",
        "inconnu",
        "justificatif",
        "vehicules.0.immatriculation",
        "vehicules.1.autre",
        "telephone",
    }
    assert errors["enfants"]["msg"] == "La valeur doit être inférieure ou égale à 20."
    assert errors["enfants"]["loc"] == ["body", "prefill", "answers", "enfants"]
    assert errors["inconnu"]["msg"] == "Ce champ n’existe pas dans le formulaire publié de la démarche."
    assert errors["justificatif"]["msg"] == "Ce champ ne peut pas être prérempli : l’usager le remplit lui-même."
    assert errors["vehicules.0.immatriculation"]["loc"] == [
        "body",
        "prefill",
        "answers",
        "vehicules",
        "0",
        "immatriculation",
    ]
    assert not PrefilledDraft.objects.exists()
    # Missing required answers are fine: the applicant completes them.
    assert create(client, partner["headers"], {"objet": "Seul"}).status_code == 201


def test_scopes_reach_and_a_closed_procedure(client, procedure, partner):
    # Another organisation's procedure does not exist for this account.
    ProcedureFactory(slug="ailleurs")
    assert create(client, partner["headers"], GOOD, slug="ailleurs").status_code == 404
    # Without dossiers:create: 403; an instructor's own key has no such right either.
    reader = bearer(service_key(service_account(procedure.organisation, ["dossiers:read"], name="Lecteur")))
    assert create(client, reader, GOOD).status_code == 403
    assert create(client, bearer(person_key(instructor_of(procedure))), GOOD).status_code == 403
    assert create(client, {}, GOOD).status_code == 401
    Procedure.objects.filter(pk=procedure.pk).update(status=Procedure.Status.CLOSED)
    closed = create(client, partner["headers"], GOOD)
    assert closed.status_code == 409 and "n’accepte pas de nouveaux dossiers" in closed.json()["detail"]
