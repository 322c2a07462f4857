"""The rules of the account services, without HTTP."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from guichet.accounts.models import FranceConnectIdentity, User
from guichet.accounts.selectors import applicant_identity
from guichet.accounts.services import (
    FranceConnectAccountConflict,
    franceconnect_sign_in,
    user_email_confirm,
    user_profile_update,
    user_signup,
)
from guichet.core.audit_verification import audit_verify
from tests.accounts.oidc_provider import DEFAULT_PERSON
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_sign_up_is_inactive_until_confirmed_and_confirms_once():
    user = user_signup(email=" Quelqu.Un@Exemple.FR ", password="Un-mot-de-passe-2026", site_url="http://x")

    assert user.email == "quelqu.un@exemple.fr"
    assert user.is_awaiting_confirmation and user.check_password("Un-mot-de-passe-2026")
    user_email_confirm(user=user)
    user.refresh_from_db()
    assert user.is_active and not user.is_awaiting_confirmation
    with pytest.raises(ValidationError):
        user_email_confirm(user=user)
    assert audit_verify() == (2, None)


def test_accounts_created_otherwise_are_confirmed_from_the_start():
    assert not User.objects.create_user(email="agent@exemple.fr", password=None).is_awaiting_confirmation
    deactivated = UserFactory(is_active=False)
    assert deactivated.email_confirmed_at is not None and not deactivated.is_awaiting_confirmation
    with pytest.raises(ValidationError):
        user_email_confirm(user=deactivated)


def test_the_franceconnect_identity_cannot_be_edited_by_hand():
    user = franceconnect_sign_in(claims=dict(DEFAULT_PERSON), acr="eidas1")
    with pytest.raises(ValidationError, match="certifiée par FranceConnect"):
        user_profile_update(actor=user, user=user, first_name="Autre", last_name="Nom")


def test_a_deactivated_account_cannot_sign_in_with_franceconnect():
    user = franceconnect_sign_in(claims=dict(DEFAULT_PERSON), acr="eidas1")
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="désactivé"):
        franceconnect_sign_in(claims=dict(DEFAULT_PERSON), acr="eidas1")


def test_franceconnect_without_an_email_cannot_create_an_account():
    with pytest.raises(ValidationError, match="adresse électronique"):
        franceconnect_sign_in(claims={**DEFAULT_PERSON, "email": ""}, acr="eidas1")
    assert not User.objects.exists()


def test_an_email_tied_to_another_identity_is_a_conflict():
    franceconnect_sign_in(claims=dict(DEFAULT_PERSON), acr="eidas1")
    with pytest.raises(FranceConnectAccountConflict):
        franceconnect_sign_in(claims={**DEFAULT_PERSON, "sub": "une-autre-personne"}, acr="eidas1")
    assert FranceConnectIdentity.objects.count() == 1


def test_the_identity_follows_franceconnect_even_when_the_email_changes():
    user = franceconnect_sign_in(claims=dict(DEFAULT_PERSON), acr="eidas1")
    again = franceconnect_sign_in(claims={**DEFAULT_PERSON, "email": "nouvelle@exemple.fr"}, acr="eidas1")
    assert again.pk == user.pk
    assert applicant_identity(again)["email"] == "nouvelle@exemple.fr"
    assert again.email == DEFAULT_PERSON["email"], "the account's sign-in address is the person's to change"


def test_applicant_identity_for_the_dossier_pages():
    local = UserFactory()
    assert applicant_identity(local) is None
    assert applicant_identity(None) is None

    user = franceconnect_sign_in(claims={**DEFAULT_PERSON, "birthplace": ""}, acr="eidas1")

    identity = applicant_identity(user)
    assert identity["given_name"] == "Angela Claire Louise" and identity["family_name"] == "DUBOIS"
    assert identity["birthdate"] == datetime.date(1962, 8, 24)
    assert identity["birthplace"] == "" and identity["birthcountry"] == "99100"
    assert identity["certified_by"] == "FranceConnect" and identity["certified_at"] is not None


def test_a_person_without_a_first_name_can_sign_in_with_franceconnect():
    user = franceconnect_sign_in(claims={**DEFAULT_PERSON, "given_name": ""}, acr="eidas1")
    assert (user.first_name, user.last_name) == ("", "DUBOIS")
    assert applicant_identity(user)["given_name"] == ""
