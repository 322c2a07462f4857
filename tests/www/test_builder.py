"""The procedure builder, through HTTP as an administrator uses it."""

import base64
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guichet.accounts.models import OrganisationRole, User
from guichet.core.models import AuditEvent
from guichet.dossiers.models import Dossier
from guichet.dossiers.routing import dossier_route
from guichet.procedures.definition import DefinitionInvalid, definition_validate
from guichet.procedures.exchange import procedure_import
from guichet.procedures.models import InstructorGroup, Procedure
from tests.factories import DossierFactory, OrganisationFactory, ProcedureFactory, UserFactory
from tests.samples import minimal_pdf, pdf_with_javascript

pytestmark = pytest.mark.django_db
TEMPLATE_PDF = minimal_pdf()


@pytest.fixture
def admin_user():
    return UserFactory(email="admin@exemple.fr")


@pytest.fixture
def organisation(admin_user):
    organisation = OrganisationFactory(name="Mairie de Test")
    OrganisationRole.objects.create(
        user=admin_user, organisation=organisation, role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return organisation


@pytest.fixture
def admin(client, admin_user, organisation):
    client.force_login(admin_user)
    return client


def url(name, *args):
    return reverse(f"admin_procedures:{name}", args=args)


def create(admin, organisation, title="Permis de végétaliser", slug=""):
    response = admin.post(url("create"), {"title": title, "slug": slug, "organisation": organisation.pk})
    assert response.status_code == 302, response.content.decode()
    return Procedure.objects.get(title=title)


def edit(admin, procedure, **data):
    procedure.refresh_from_db()
    response = admin.post(url("form_edit", procedure.slug), {"revision": procedure.draft_revision, **data}, follow=True)
    procedure.refresh_from_db()
    return response.content.decode()


def fields_of(procedure, page=0):
    procedure.refresh_from_db()
    return procedure.draft_definition["pages"][page]["fields"]


def test_only_administrators_reach_the_builder(client, organisation):
    assert client.get(url("list")).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(url("list")).status_code == 403
    other = ProcedureFactory()  # another organisation's procedure
    client.force_login(User.objects.get(email="admin@exemple.fr"))
    assert client.get(url("overview", other.slug)).status_code == 404
    assert client.get(url("form", other.slug)).status_code == 404


def test_an_administrator_of_a_ministry_administers_its_directorates(client, admin_user, organisation):
    directorate = OrganisationFactory(parent=organisation)
    procedure = ProcedureFactory(organisation=directorate, title="Aide régionale")
    client.force_login(admin_user)
    assert "Aide régionale" in client.get(url("list")).content.decode()
    assert client.get(url("overview", procedure.slug)).status_code == 200


def test_create_a_procedure_then_build_its_form(admin, organisation):
    procedure = create(admin, organisation)
    assert procedure.slug == "permis-de-vegetaliser"
    assert procedure.status == Procedure.Status.DRAFT
    html = edit(admin, procedure, action="field_add", page="demande", field_type="text", label="Adresse du trottoir")
    assert "Le champ « Adresse du trottoir » est ajouté." in html
    edit(admin, procedure, action="field_add", page="demande", field_type="yes_no", label="Êtes-vous riverain ?")
    assert [f["id"] for f in fields_of(procedure)] == ["adresse-du-trottoir", "etes-vous-riverain"]
    edit(admin, procedure, action="field_up", field="etes-vous-riverain")
    assert [f["id"] for f in fields_of(procedure)] == ["etes-vous-riverain", "adresse-du-trottoir"]
    edit(admin, procedure, action="field_duplicate", field="adresse-du-trottoir")
    edit(admin, procedure, action="field_delete", field="adresse-du-trottoir-2")
    edit(admin, procedure, action="page_add", title="Pièces justificatives")
    assert procedure.draft_definition["pages"][1]["title"] == "Pièces justificatives"
    page = admin.get(url("form", procedure.slug)).content.decode()
    assert "Page 2 : Pièces justificatives" in page
    assert AuditEvent.objects.filter(action="procedure.definition_update", object_id=str(procedure.pk)).count() == 6


def test_field_settings_are_edited_through_a_form(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="choice", label="Essence")
    response = admin.post(
        url("field_edit", procedure.slug, "essence"),
        {
            "revision": procedure.draft_revision,
            "label": "Essence choisie",
            "help": "Voir la liste des essences autorisées.",
            "required": "on",
            "options": "Lavande\nRomarin\n\nThym",
            "widget": "radio",
        },
    )
    assert response.status_code == 302
    field = fields_of(procedure)[0]
    assert field["label"] == "Essence choisie" and field["required"] is True
    assert [o["label"] for o in field["options"]] == ["Lavande", "Romarin", "Thym"]
    values = [o["value"] for o in field["options"]]
    assert values == ["lavande", "romarin", "thym"]
    # Once published, renaming an option keeps its value, so answers and conditions still follow it.
    admin.post(url("publish", procedure.slug), {"confirmation": "oui"})
    procedure.refresh_from_db()
    admin.post(
        url("field_edit", procedure.slug, "essence"),
        {"revision": procedure.draft_revision, "label": "Essence", "options": "Lavande vraie\nRomarin\nThym"},
    )
    assert [o["value"] for o in fields_of(procedure)[0]["options"]] == values


def test_bad_settings_are_refused_with_their_place(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="integer", label="Nombre d’arbres")
    response = admin.post(
        url("field_edit", procedure.slug, "nombre-d-arbres"),
        {"revision": procedure.draft_revision, "label": "Nombre d’arbres", "min": "10", "max": "2"},
    )
    assert response.status_code == 200
    assert "Page 1 « Votre demande », champ « Nombre d’arbres », minimum : le minimum dépasse le maximum" in (
        response.content.decode()
    )
    assert "max" not in fields_of(procedure)[0]


def test_an_outdated_page_or_a_double_click_changes_nothing(admin, organisation):
    procedure = create(admin, organisation)
    stale = procedure.draft_revision
    edit(admin, procedure, action="field_add", page="demande", field_type="text", label="Nom")
    response = admin.post(
        url("form_edit", procedure.slug),
        {"revision": stale, "action": "field_add", "page": "demande", "field_type": "text", "label": "Nom"},
        follow=True,
    )
    assert "Le formulaire a été modifié entre-temps" in response.content.decode()
    assert len(fields_of(procedure)) == 1


def test_conditions_are_chosen_from_lists(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="yes_no", label="Mineur")
    edit(admin, procedure, action="field_add", page="demande", field_type="text", label="Nom du tuteur")
    page = admin.get(url("field_condition", procedure.slug, "nom-du-tuteur")).content.decode()
    assert '<option value="mineur">Mineur</option>' in page
    assert '<option value="nom-du-tuteur"' not in page  # only earlier fields
    response = admin.post(
        url("field_condition", procedure.slug, "nom-du-tuteur"),
        {
            "revision": procedure.draft_revision,
            "combinator": "all",
            "regle-TOTAL_FORMS": "1",
            "regle-INITIAL_FORMS": "0",
            "regle-0-field": "mineur",
            "regle-0-op": "eq",
            "regle-0-value": "oui",
        },
    )
    assert response.status_code == 302
    assert fields_of(procedure)[1]["condition"] == {"all": [{"field": "mineur", "op": "eq", "value": True}]}
    assert "Affiché si « Mineur » est égal à « oui »" in admin.get(url("form", procedure.slug)).content.decode()
    # Deleting the field the condition uses is refused, with its place.
    html = edit(admin, procedure, action="field_delete", field="mineur")
    assert "Page 1 « Votre demande », champ « Nom du tuteur », condition d’affichage" in html
    assert len(fields_of(procedure)) == 2


def test_a_condition_value_of_the_wrong_type_is_explained(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="integer", label="Âge")
    edit(admin, procedure, action="page_add", title="Suite")
    response = admin.post(
        url("page_condition", procedure.slug, "suite"),
        {
            "revision": procedure.draft_revision,
            "combinator": "any",
            "regle-TOTAL_FORMS": "1",
            "regle-INITIAL_FORMS": "0",
            "regle-0-field": "age",
            "regle-0-op": "ge",
            "regle-0-value": "dix-huit",
        },
    )
    assert "« dix-huit » n’est pas un nombre." in response.content.decode()
    assert "condition" not in procedure.draft_definition["pages"][1]


def test_add_row_shows_one_more_rule_without_javascript(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="integer", label="Âge")
    edit(admin, procedure, action="field_add", page="demande", field_type="text", label="Motif")
    response = admin.post(
        url("field_condition", procedure.slug, "motif"),
        {"combinator": "all", "regle-TOTAL_FORMS": "1", "regle-INITIAL_FORMS": "0", "add_row": "1"},
    )
    assert 'name="regle-1-field"' in response.content.decode()


def test_a_computed_field_gets_its_formula_from_a_form(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="decimal", label="Surface")
    edit(admin, procedure, action="field_add", page="demande", field_type="decimal", label="Prix au m²")
    edit(admin, procedure, action="field_add", page="demande", field_type="computed", label="Montant")
    response = admin.post(
        url("field_formula", procedure.slug, "montant"),
        {
            "revision": procedure.draft_revision,
            "operation": "product",
            "decimals": "2",
            "element-TOTAL_FORMS": "2",
            "element-INITIAL_FORMS": "0",
            "element-0-source": "field:surface",
            "element-1-source": "field:prix-au-m2",
        },
    )
    assert response.status_code == 302
    assert fields_of(procedure)[2]["formula"] == "round({surface} * {prix-au-m2}, 2)"
    page = admin.get(url("field_formula", procedure.slug, "montant")).content.decode()
    assert '<option value="field:surface" selected>Surface</option>' in page


def test_eligibility_rules_are_added_and_removed(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="integer", label="Années d’existence")
    response = admin.post(
        url("eligibility_add", procedure.slug),
        {
            "revision": procedure.draft_revision,
            "message": "Réservé aux associations déclarées depuis plus d’un an.",
            "combinator": "all",
            "regle-TOTAL_FORMS": "1",
            "regle-INITIAL_FORMS": "0",
            "regle-0-field": "annees-d-existence",
            "regle-0-op": "lt",
            "regle-0-value": "1",
        },
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.draft_definition["eligibility"] == [
        {
            "condition": {"all": [{"field": "annees-d-existence", "op": "lt", "value": 1}]},
            "message": "Réservé aux associations déclarées depuis plus d’un an.",
        }
    ]
    edit(admin, procedure, action="eligibility_delete", index="0")
    assert "eligibility" not in procedure.draft_definition


def test_blocks_and_attachments_with_a_template(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="block", label="Arbres")
    edit(admin, procedure, action="field_add", page="demande", block="arbres", field_type="integer", label="Hauteur")
    edit(admin, procedure, action="field_add", page="demande", field_type="file", label="Plan")
    assert [f["id"] for f in fields_of(procedure)[0]["fields"]] == ["arbres-element", "hauteur"]
    for name, content, reason in (
        ("modele.html", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "d’un type accepté"),
        ("modele.pdf", pdf_with_javascript(), "est un PDF qui contient du code JavaScript"),
    ):
        refused = admin.post(
            url("field_edit", procedure.slug, "plan"),
            {
                "revision": procedure.draft_revision,
                "label": "Plan",
                "template_upload": SimpleUploadedFile(name, content),
            },
        )
        assert refused.status_code == 200 and reason in refused.content.decode()
        assert "template_file" not in fields_of(procedure)[1]
    response = admin.post(
        url("field_edit", procedure.slug, "plan"),
        {
            "revision": procedure.draft_revision,
            "label": "Plan",
            "accept": ["application/pdf", "image/png"],
            "max_size_mb": "5",
            "max_files": "2",
            "template_upload": SimpleUploadedFile("modèle de plan.pdf", TEMPLATE_PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    plan = fields_of(procedure)[1]
    assert plan["accept"] == ["application/pdf", "image/png"] and plan["max_files"] == 2
    assert plan["template_file"]["name"] == "modèle de plan.pdf"
    with default_storage.open(plan["template_file"]["path"]) as stored:
        assert stored.read() == TEMPLATE_PDF

    # The template travels inside the exported document, to another platform.
    document = json.loads(admin.get(url("export", procedure.slug)).content)
    assert document["files"][0]["path"] == plan["template_file"]["path"]
    default_storage.delete(plan["template_file"]["path"])
    page = {
        **document["files"][0],
        "content_base64": base64.b64encode(b"<html><script>alert(1)</script></html>").decode(),
    }
    with pytest.raises(DefinitionInvalid, match="n’est pas d’un type accepté"):
        procedure_import(actor=None, data={**document, "slug": "ailleurs", "files": [page]})
    procedure_import(actor=None, data={**document, "slug": "ailleurs"})
    with default_storage.open(plan["template_file"]["path"]) as stored:
        assert stored.read() == TEMPLATE_PDF


def test_settings_dates_and_silence_rule(admin, organisation):
    procedure = create(admin, organisation)
    data = {
        "title": procedure.title,
        "organisation": organisation.pk,
        "silence_rule": "acceptance",
        "correction_clock": "restart",
        "opens_on": "2027-01-10",
        "closes_on": "2027-01-01",
    }
    html = admin.post(url("settings", procedure.slug), data).content.decode()
    assert "La date de clôture doit suivre la date d’ouverture." in html
    assert "Indiquez le délai d’instruction" in html
    data.update(closes_on="2027-12-31", processing_days="60", data_needed="Un plan du trottoir.")
    assert admin.post(url("settings", procedure.slug), data).status_code == 302
    procedure.refresh_from_db()
    assert (procedure.processing_days, procedure.silence_rule, procedure.correction_clock) == (
        60,
        "acceptance",
        "restart",
    )
    assert str(procedure.closes_on) == "2027-12-31"


def test_publish_close_reopen_and_versions(admin, organisation, django_capture_on_commit_callbacks):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="text", label="Objet")
    admin.post(url("publish", procedure.slug), {"confirmation": "oui"})
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.PUBLISHED and procedure.versions.count() == 1
    assert InstructorGroup.objects.filter(procedure=procedure, is_default=True).exists()
    assert (
        "Le formulaire est identique à la dernière version publiée."
        in admin.get(url("form", procedure.slug)).content.decode()
    )

    applicant = UserFactory()
    draft = Dossier.objects.create(
        procedure=procedure, version=procedure.latest_version, applicant=applicant, answers={"objet": "Trottoir"}
    )
    filed = DossierFactory(
        procedure=procedure, version=procedure.latest_version, answers={"objet": "x"}, submitted=True
    )
    edit(admin, procedure, action="field_add", page="demande", field_type="textarea", label="Précisions")
    assert "Modifications non publiées" in admin.get(url("overview", procedure.slug)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url("publish", procedure.slug), {"confirmation": "oui"})
    draft.refresh_from_db()
    filed.refresh_from_db()
    assert draft.version.number == 2  # its answers fit the new version
    assert filed.version.number == 1  # a filed dossier never changes

    admin.post(url("close", procedure.slug))
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.CLOSED
    admin.post(url("reopen", procedure.slug))
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.PUBLISHED


def test_clone_and_export(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="email", label="Courriel")
    response = admin.post(
        url("clone", procedure.slug),
        {"title": "Permis de végétaliser 2027", "slug": "", "organisation": organisation.pk},
    )
    assert response.status_code == 302
    clone = Procedure.objects.get(slug="permis-de-vegetaliser-2027")
    assert clone.status == Procedure.Status.DRAFT and clone.draft_definition == procedure.draft_definition
    taken = admin.post(
        url("clone", procedure.slug), {"title": "X", "slug": clone.slug, "organisation": organisation.pk}
    )
    assert "est déjà prise" in taken.content.decode()

    exported = admin.get(url("export", procedure.slug))
    assert exported["Content-Disposition"] == 'attachment; filename="permis-de-vegetaliser.json"'
    document = json.loads(exported.content)
    document["slug"] = "importee"
    assert procedure_import(actor=None, data=document).draft_definition == procedure.draft_definition


def test_groups_members_and_routing(admin, organisation):
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="choice", label="Département")
    admin.post(
        url("field_edit", procedure.slug, "departement"),
        {"revision": procedure.draft_revision, "label": "Département", "options": "Loiret\nCher"},
    )
    assert [o["value"] for o in fields_of(procedure)[0]["options"]] == ["loiret", "cher"]
    admin.post(url("publish", procedure.slug), {"confirmation": "oui"})
    admin.post(url("groups", procedure.slug), {"action": "group_add", "name": "UDAP du Cher"})
    cher = InstructorGroup.objects.get(procedure=procedure, name="UDAP du Cher")
    admin.post(url("groups", procedure.slug), {"action": "member_add", "group": cher.pk, "email": "Nouvel@Exemple.fr"})
    assert cher.members.get().email == "nouvel@exemple.fr"
    admin.post(url("groups", procedure.slug), {"action": "routing", "routing_field": "departement", "same_field": ""})
    html = admin.get(url("groups", procedure.slug)).content.decode()
    assert "Réponse à « Département »" in html
    admin.post(
        url("groups", procedure.slug),
        {"action": "routing", "routing_field": "departement", "same_field": "departement", "route-cher": cher.pk},
    )
    procedure.refresh_from_db()
    assert procedure.routing_map == {"cher": cher.pk}
    to_cher = DossierFactory(procedure=procedure, version=procedure.latest_version, answers={"departement": "cher"})
    to_default = DossierFactory(
        procedure=procedure, version=procedure.latest_version, answers={"departement": "loiret"}
    )
    assert dossier_route(to_cher) == cher
    assert dossier_route(to_default).is_default
    # Tampered ids are refused politely.
    response = admin.post(url("groups", procedure.slug), {"action": "group_delete", "group": "x"}, follow=True)
    assert "Ce groupe n’existe plus." in response.content.decode()
    # The default group cannot be deleted; another group can, and leaves the routing.
    admin.post(url("groups", procedure.slug), {"action": "group_delete", "group": cher.pk})
    procedure.refresh_from_db()
    assert procedure.routing_map == {} and not InstructorGroup.objects.filter(pk=cher.pk).exists()


def test_every_demo_form_opens_in_the_builder_with_every_field_editable(client, demo):
    from guichet.procedures.editing import fields_by_id

    client.force_login(User.objects.get(email="administrateur@demo.guichet.fr"))
    for procedure in Procedure.objects.all():
        assert client.get(url("form", procedure.slug)).status_code == 200
        assert client.get(url("groups", procedure.slug)).status_code == 200
        assert client.get(url("settings", procedure.slug)).status_code == 200
        for page in procedure.draft_definition["pages"]:
            assert client.get(url("page_condition", procedure.slug, page["id"])).status_code == 200
        for field_id, field in fields_by_id(procedure.draft_definition).items():
            assert client.get(url("field_edit", procedure.slug, field_id)).status_code == 200, field_id
            assert client.get(url("field_condition", procedure.slug, field_id)).status_code == 200, field_id
            if field["type"] == "computed":
                assert client.get(url("field_formula", procedure.slug, field_id)).status_code == 200
        for index in range(len(procedure.draft_definition.get("eligibility", []))):
            assert client.get(url("eligibility_edit", procedure.slug, index)).status_code == 200


def test_saving_a_demo_field_unchanged_keeps_the_form_identical(client, demo):
    """The settings form holds every setting of every type: saving it as shown loses nothing."""
    from guichet.procedures.definition import FieldType
    from guichet.procedures.editing import fields_by_id
    from guichet.www.admin_procedures.forms import field_settings_form

    client.force_login(User.objects.get(email="administrateur@demo.guichet.fr"))
    for procedure in Procedure.objects.all():
        before = procedure.draft_definition
        for field_id, field in fields_by_id(before).items():
            form = field_settings_form(FieldType(field["type"]), field)
            data = {"revision": Procedure.objects.get(pk=procedure.pk).draft_revision}
            for bound in form:
                value = bound.value()
                if not (value is None or value is False or value == "") and not bound.name.startswith("template_"):
                    data[bound.name] = value
            response = client.post(url("field_edit", procedure.slug, field_id), data)
            assert response.status_code == 302, (field_id, response.content.decode()[-2000:])
        procedure.refresh_from_db()
        after = fields_by_id(procedure.draft_definition)
        for field_id, field in fields_by_id(before).items():
            assert after[field_id] == field, field_id
        assert procedure.draft_definition == before, procedure.slug


def test_an_identity_purpose_becomes_the_inputs_autocomplete(admin, organisation):
    """RGAA 11.13: a field that asks about the person filling the form says so to the browser."""
    procedure = create(admin, organisation)
    edit(admin, procedure, action="field_add", page="demande", field_type="text", label="Prénom")
    edit(admin, procedure, action="field_add", page="demande", field_type="date", label="Date de naissance")
    assert [field["id"] for field in fields_of(procedure)] == ["prenom", "date-de-naissance"]
    form = admin.get(url("field_edit", procedure.slug, "date-de-naissance")).content.decode()
    assert "Date de naissance</option>" in form and "Prénom</option>" not in form  # a date is a birth date only
    for field_id, label, purpose in (("prenom", "Prénom", "given-name"), ("date-de-naissance", "Né le", "bday")):
        procedure.refresh_from_db()
        response = admin.post(
            url("field_edit", procedure.slug, field_id),
            {"revision": procedure.draft_revision, "label": label, "autocomplete": purpose},
        )
        assert response.status_code == 302
    assert [field.get("autocomplete") for field in fields_of(procedure)] == ["given-name", "bday"]
    # A purpose that does not fit the type is refused with its field named.
    procedure.refresh_from_db()
    refused = admin.post(
        url("field_edit", procedure.slug, "prenom"),
        {"revision": procedure.draft_revision, "label": "Prénom", "autocomplete": "bday"},
    )
    assert "Sélectionnez un choix valide" in refused.content.decode()

    page = admin.get(reverse("admin_procedures:preview_page", args=[procedure.slug, 1])).content.decode()
    assert re.search(r'<input [^>]*name="prenom"[^>]*autocomplete="given-name"', page)
    assert re.search(r'<input [^>]*name="date-de-naissance"[^>]*autocomplete="bday"', page)
    # No purpose, no autocomplete: the browser does not guess.
    procedure.refresh_from_db()
    admin.post(
        url("field_edit", procedure.slug, "prenom"),
        {"revision": procedure.draft_revision, "label": "Prénom de l’enfant", "autocomplete": ""},
    )
    page = admin.get(reverse("admin_procedures:preview_page", args=[procedure.slug, 1])).content.decode()
    assert not re.search(r'<input [^>]*name="prenom"[^>]*autocomplete=', page)


def test_a_definition_with_a_purpose_that_does_not_fit_its_type_is_invalid():
    """Imports and the API go through the definition's own check, not the builder's form."""
    page = {"id": "p", "title": "Identité", "fields": [{"id": "nom", "type": "text", "label": "Nom"}]}
    page["fields"][0]["autocomplete"] = "family-name"
    assert definition_validate({"pages": [page]}).pages[0].fields[0].autocomplete == "family-name"
    for kind, purpose in (("text", "bday"), ("integer", "family-name"), ("text", "cc-number")):
        page["fields"][0] |= {"type": kind, "autocomplete": purpose}
        with pytest.raises(DefinitionInvalid):
            definition_validate({"pages": [page]})
    # An instructors' private annotation is not about the person filling it in the applicant's place.
    page["fields"][0] |= {"type": "text", "autocomplete": "family-name"}
    annotation = {"id": "suivi", "type": "text", "label": "Nom du référent", "autocomplete": "family-name"}
    with pytest.raises(DefinitionInvalid, match="finalité"):
        definition_validate({"pages": [page], "annotations": [annotation]})
