"""The back office's authorisation matrix: every role × every back-office URL (pages, file
downloads, exports, actions, bulk actions, the API): allowed, or refused with 403 (not an instructor) or
404 (not this dossier's instructor: the dossier does not exist for them). Through the API, each person
calls with a key of their own, and without one the answer is 401."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from guichet.accounts.models import OrganisationRole
from guichet.api.services import api_token_create
from guichet.instruction.models import BulkAction, ExpertInvitation
from guichet.procedures.models import InstructorGroup, InstructorMembership
from tests.factories import DossierFactory, ProcedureFactory, UserFactory
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()
ALLOWED, SIGN_IN, FORBIDDEN, NOT_FOUND = "ok", "connexion", 403, 404


@pytest.fixture
def world():
    procedure = ProcedureFactory()
    group_a = procedure.instructor_groups.get(is_default=True)
    group_b = InstructorGroup.objects.create(procedure=procedure, name="Groupe B")
    dossier = DossierFactory(procedure=procedure, accepted=True)
    stored = dossier.files.create(
        content=ContentFile(PDF, name="x.pdf"),
        name="piece.pdf",
        size=len(PDF),
        content_type="application/pdf",
        sha256="0" * 64,
        uploaded_by=dossier.applicant,
    )
    people = {
        "anonyme": None,
        "usager": dossier.applicant,
        "instructeur A": UserFactory(),
        "instructeur B": UserFactory(),
        "expert": UserFactory(),
        "administrateur": UserFactory(),
    }
    InstructorMembership.objects.create(group=group_a, user=people["instructeur A"])
    InstructorMembership.objects.create(group=group_b, user=people["instructeur B"])
    OrganisationRole.objects.create(
        user=people["administrateur"],
        organisation=procedure.organisation,
        role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR,
    )
    invitation = ExpertInvitation.objects.create(
        dossier=dossier, expert=people["expert"], invited_by=people["instructeur A"], question="Avis ?"
    )
    bulk = BulkAction.objects.create(
        actor=people["instructeur A"], procedure=procedure, action="follow", dossier_ids=[dossier.pk]
    )
    return {
        "procedure": procedure,
        "dossier": dossier,
        "file": stored,
        "people": people,
        "invitation": invitation,
        "bulk": bulk,
    }


def urls(world):
    d, slug = world["dossier"].pk, world["procedure"].slug
    key, invitation = world["file"].key, world["invitation"].pk
    return {
        "accueil instruction": ("get", reverse("agent:procedures"), {}),
        "liste": ("get", reverse("agent:dossier_list", args=[slug]), {}),
        "dossier": ("get", reverse("agent:dossier_detail", args=[d]), {}),
        "pièce": ("get", reverse("agent:dossier_file", args=[d, key]), {}),
        "suivi d’action groupée": ("get", reverse("agent:bulk_detail", args=[world["bulk"].pk]), {}),
        "décision": ("post", reverse("agent:dossier_decision", args=[d]), {"decision": "reopen", "motivation": "x"}),
        "suivre": ("post", reverse("agent:dossier_follow", args=[d]), {}),
        "mettre de côté": ("post", reverse("agent:dossier_put_aside", args=[d]), {}),
        "message": ("post", reverse("agent:dossier_message", args=[d]), {"body": "Bonjour"}),
        "étiquettes": ("post", reverse("agent:dossier_labels", args=[d]), {"etiquettes": "x"}),
        "attribution": ("post", reverse("agent:dossier_assign", args=[d]), {"instructeur": ""}),
        "annotations": ("post", reverse("agent:dossier_annotations", args=[d]), {}),
        "demande d’avis": ("post", reverse("agent:expert_invite", args=[d]), {"email": "a@b.fr", "question": "?"}),
        "retrait d’avis": ("post", reverse("agent:expert_revoke", args=[d, invitation]), {}),
        "action groupée": ("post", reverse("agent:bulk_create", args=[slug]), {"action": "follow", "dossiers": [d]}),
        "notifications": ("post", reverse("agent:notifications"), {"mode": "digest"}),
        "colonnes": ("get", reverse("agent:list_columns", args=[slug]), {}),
        "export": ("get", reverse("agent:list_export", args=[slug, "csv"]) + "?onglet=tous", {}),
        "pièces (ZIP)": ("post", reverse("agent:attachments_zip", args=[slug]), {"dossiers": [d]}),
        "avis (expert)": ("get", reverse("expert:invitation", args=[invitation]), {}),
        "pièce (expert)": ("get", reverse("expert:file", args=[invitation, key]), {}),
        "api: démarches": ("get", "/api/v1/instruction/procedures", {}),
        "api: liste": ("get", f"/api/v1/instruction/procedures/{slug}/dossiers?tab=tous", {}),
        "api: dossier": ("get", f"/api/v1/instruction/dossiers/{d}", {}),
        # The screen reopened it above: the API accepts it.
        "api: décision": ("json", f"/api/v1/instruction/dossiers/{d}/decision", {"decision": "accept"}),
    }


def expected(role: str, name: str) -> object:
    if name.startswith("api:"):
        return _expected_through_the_api(role, name)
    if role == "anonyme":
        return SIGN_IN
    if name.endswith("(expert)"):
        return ALLOWED if role == "expert" else NOT_FOUND
    if role in {"usager", "expert", "administrateur"}:
        return FORBIDDEN  # not an instructor: the back office is not theirs
    if role == "instructeur B":
        # Same procedure, other group: the procedure's pages yes, this dossier no.
        if name in {"accueil instruction", "liste", "notifications", "colonnes"}:
            return ALLOWED
        if name == "export":
            return "sans ce dossier"  # their list, which does not hold it
        if name == "pièces (ZIP)":
            return "refusé"  # not a ZIP: back to the list with a message
        if name == "suivi d’action groupée":
            return NOT_FOUND  # someone else's
        if name == "action groupée":
            return "refusé"  # the selection holds a dossier that is not theirs: nothing is done
        return NOT_FOUND
    if name == "annotations":
        return NOT_FOUND  # this procedure defines none
    return ALLOWED


def _expected_through_the_api(role: str, name: str) -> object:
    if role == "anonyme":
        return 401
    if role in {"usager", "expert", "administrateur"}:
        return FORBIDDEN
    if role == "instructeur B":
        return {"api: démarches": ALLOWED, "api: liste": "sans ce dossier"}.get(name, NOT_FOUND)
    return ALLOWED


ROLES = ["anonyme", "usager", "instructeur A", "instructeur B", "expert", "administrateur"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says_on_every_back_office_url(client, world, role):
    person = world["people"][role]
    headers = {}
    if person is not None:
        client.force_login(person)
        headers = {"Authorization": f"Bearer {api_token_create(actor=person, name='matrice').key}"}
    wrong = []
    for name, (method, url, data) in urls(world).items():
        if name.startswith("api:"):
            client.logout()  # the key alone, not the session
            if method == "json":
                response = client.post(url, data, content_type="application/json", headers=headers)
            else:
                response = client.get(url, headers=headers)
            if person is not None:
                client.force_login(person)
        else:
            response = client.get(url) if method == "get" else client.post(url, data)
        want = expected(role, name)
        if want == SIGN_IN:
            got_it = response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        elif want == ALLOWED:
            got_it = response.status_code in {200, 302} and "/compte/connexion" not in response.get("Location", "")
        elif want == "refusé":
            got_it = response.status_code == 302 and BulkAction.objects.filter(actor=person).count() == 0
        elif want == "sans ce dossier" and name.startswith("api:"):
            got_it = response.status_code == 200 and world["dossier"].pk not in {
                dossier["id"] for dossier in response.json()["dossiers"]
            }
        elif want == "sans ce dossier":
            content = b"".join(response.streaming_content).decode("utf-8-sig")
            got_it = response.status_code == 200 and world["dossier"].number not in content
        else:
            got_it = response.status_code == want
        if not got_it:
            wrong.append(f"{name}: expected {want}, got {response.status_code} {response.get('Location', '')}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
