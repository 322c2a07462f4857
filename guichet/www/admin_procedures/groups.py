"""Instructor groups of a procedure, their members, and the routing rule that sends each filed
dossier to one group."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render

from guichet.accounts.models import User
from guichet.accounts.services import user_create
from guichet.procedures.definition import FieldType
from guichet.procedures.models import InstructorGroup, InstructorMembership
from guichet.procedures.services import (
    instructor_group_add_member,
    instructor_group_create,
    instructor_group_delete,
    instructor_group_remove_member,
    instructor_group_update,
    procedure_routing_set,
)

from . import forms
from .access import administered_procedure, administrator_required

ROUTABLE = {FieldType.CHOICE, FieldType.YES_NO}


def routing_fields(definition: dict) -> list[dict]:
    """The fields whose answer can choose a group: single choices and yes/no questions of the form
    itself (not inside a repeatable block)."""
    return [field for page in definition["pages"] for field in page["fields"] if field["type"] in ROUTABLE]


def routing_values(field: dict) -> list[tuple[str, str]]:
    if field["type"] == FieldType.YES_NO:
        return [("true", "Oui"), ("false", "Non")]
    return [(option["value"], option["label"]) for option in field.get("options", [])]


def _group_action(request, procedure, action: str) -> None:
    post = request.POST
    group_id, user_id = post.get("group", ""), post.get("user", "")
    group = procedure.instructor_groups.filter(pk=group_id).first() if group_id.isdigit() else None
    if action == "group_add":
        form = forms.GroupForm(post)
        if form.is_valid():
            instructor_group_create(
                actor=request.user,
                procedure=procedure,
                name=form.cleaned_data["name"].strip(),
                is_default=not procedure.instructor_groups.filter(is_default=True).exists(),
            )
            messages.success(request, f"Le groupe « {form.cleaned_data['name']} » est créé.")
        else:
            messages.error(request, "Indiquez le nom du groupe (150 caractères au plus).")
        return
    if group is None:
        messages.error(request, "Ce groupe n’existe plus.")
        return
    if action == "group_update":
        form = forms.GroupForm(post)
        if form.is_valid():
            instructor_group_update(actor=request.user, group=group, **form.cleaned_data)
            messages.success(request, "Le groupe est enregistré.")
        else:
            messages.error(request, "Indiquez le nom du groupe.")
    elif action == "group_delete":
        instructor_group_delete(actor=request.user, group=group)
        messages.success(request, f"Le groupe « {group.name} » est supprimé.")
    elif action == "member_add":
        form = forms.MemberForm(post)
        if not form.is_valid():
            messages.error(request, "Saisissez une adresse électronique valide, par exemple nom@exemple.fr.")
            return
        email = form.cleaned_data["email"].lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            # The person signs in after choosing a password through « Mot de passe oublié ».
            user = user_create(actor=request.user, email=email, password=None)
        instructor_group_add_member(actor=request.user, group=group, user=user)
        messages.success(request, f"{email} instruit désormais les dossiers du groupe « {group.name} ».")
    elif action == "member_remove":
        user = User.objects.filter(pk=user_id).first() if user_id.isdigit() else None
        if user is not None:
            instructor_group_remove_member(actor=request.user, group=group, user=user)
            messages.success(request, f"{user.email} ne fait plus partie du groupe « {group.name} ».")
    else:
        messages.error(request, "Action inconnue.")


def _routing_save(request, procedure) -> None:
    field_id = request.POST.get("routing_field", "")
    fields = {field["id"]: field for field in routing_fields(procedure.draft_definition)}
    if field_id and field_id not in fields:
        messages.error(request, "Choisissez une question à choix unique ou oui / non du formulaire.")
        return
    mapping = {}
    if field_id and request.POST.get("same_field") == field_id:
        for value, _label in routing_values(fields[field_id]):
            group_id = request.POST.get(f"route-{value}", "")
            if group_id.isdigit():
                mapping[value] = int(group_id)
    procedure_routing_set(actor=request.user, procedure=procedure, field_id=field_id, mapping=mapping)
    if field_id and request.POST.get("same_field") != field_id:
        messages.info(request, "Choisissez maintenant le groupe qui reçoit les dossiers pour chaque réponse.")
    else:
        messages.success(request, "L’aiguillage des dossiers est enregistré.")


@administrator_required
def groups_page(request, slug: str):
    procedure = administered_procedure(request, slug)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "routing":
                _routing_save(request, procedure)
            else:
                _group_action(request, procedure, action)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("admin_procedures:groups", procedure.slug)
    members = InstructorMembership.objects.select_related("user").order_by("user__email")
    groups = procedure.instructor_groups.prefetch_related(Prefetch("memberships", queryset=members)).order_by(
        "-is_default", "name"
    )
    candidates = routing_fields(procedure.draft_definition)
    current = next((field for field in candidates if field["id"] == procedure.routing_field), None)
    routes = [
        {"value": value, "label": label, "group_id": procedure.routing_map.get(value)}
        for value, label in (routing_values(current) if current else [])
    ]
    context = {
        "procedure": procedure,
        "groups": list(groups),
        "routing_candidates": candidates,
        "routing_field": current,
        "routes": routes,
        "group_form": forms.GroupForm(),
        "member_form": forms.MemberForm(),
        "default_group": InstructorGroup.objects.filter(procedure=procedure, is_default=True).first(),
    }
    return render(request, "admin_procedures/groups.html", context)
