"""The second factor of local accounts: enrolling an authenticator app (TOTP), signing in with it,
recovery codes (shown once, stored hashed, good once), mandatory for agents, and the audited reset."""

import hashlib
import re

import pyotp
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from guichet.accounts.models import OrganisationRole, RecoveryCode, TOTPDevice
from guichet.accounts.second_factor import recovery_codes_replace, second_factor_reset
from guichet.accounts.services import organisation_role_grant
from guichet.core.encryption import text_decrypt, text_encrypt
from guichet.core.models import AuditEvent
from tests.factories import OrganisationFactory, ProcedureFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"  # noqa: S105 (the factories' password)


def password_step(client, user, next_url: str = ""):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD, "next": next_url})


def signed_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def with_app(user) -> pyotp.TOTP:
    device = TOTPDevice.objects.create(user=user, secret=pyotp.random_base32())
    return pyotp.TOTP(device.secret)


def administrator():
    user = UserFactory()
    organisation_role_grant(
        actor=None, user=user, organisation=OrganisationFactory(), role=OrganisationRole.Role.PROCEDURE_ADMINISTRATOR
    )
    return user


def test_an_agent_without_a_second_factor_enrols_an_app_before_the_session_opens(client):
    agent = instructor_of(ProcedureFactory())

    response = password_step(client, agent, next_url="/instruction/")

    assert response["Location"] == reverse("accounts:second_factor_setup")
    assert not signed_in_as(client, agent)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "La double authentification est obligatoire pour les comptes d’agents" in html
    assert "<svg" in html and 'data-testid="totp-secret"' in html
    secret = text_decrypt(client.session["second_factor_setup_secret"])
    assert secret.replace(" ", "")[:4] in html
    assert not signed_in_as(client, agent)

    wrong = client.post(reverse("accounts:second_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 400 and "Ce code ne correspond pas" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=agent).exists()

    done = client.post(reverse("accounts:second_factor_setup"), {"code": pyotp.TOTP(secret).now()})

    html = done.content.decode()
    assert done.status_code == 200 and "Notez-les maintenant : ils ne seront plus affichés" in html
    assert done["Cache-Control"].startswith("max-age=0") or "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/instruction/"' in html
    assert signed_in_as(client, agent)
    assert TOTPDevice.objects.get(user=agent).secret == secret
    # Stored hashed: the codes themselves are nowhere in the database.
    stored = set(RecoveryCode.objects.filter(user=agent).values_list("code_hash", flat=True))
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert AuditEvent.objects.filter(action="second_factor.totp_enable", actor=agent).count() == 1


def test_signing_in_with_the_app_s_code_once(client):
    agent = administrator()
    totp = with_app(agent)

    response = password_step(client, agent, next_url="/administration/demarches/")
    assert response["Location"] == reverse("accounts:second_factor")
    assert not signed_in_as(client, agent)
    wrong = client.post(reverse("accounts:second_factor"), {"code": "123456" if totp.now() != "123456" else "654321"})
    assert wrong.status_code == 400 and "Ce code n’est pas valable" in wrong.content.decode()
    code = totp.now()
    response = client.post(reverse("accounts:second_factor"), {"code": code})
    assert response.status_code == 302 and response["Location"] == "/administration/demarches/"
    assert signed_in_as(client, agent)

    # The same code does not open a second session.
    client.logout()
    password_step(client, agent)
    replay = client.post(reverse("accounts:second_factor"), {"code": code})
    assert replay.status_code == 400 and not signed_in_as(client, agent)


def test_a_recovery_code_is_good_once(client):
    agent = administrator()
    with_app(agent)
    codes = recovery_codes_replace(agent)

    password_step(client, agent)
    response = client.post(reverse("accounts:second_factor"), {"code": codes[0].upper()}, follow=True)
    assert signed_in_as(client, agent)
    assert "il vous en reste 9" in response.content.decode()
    event = AuditEvent.objects.get(action="second_factor.recovery_code_use")
    assert event.actor_id == agent.pk and event.details == {"left": 9}

    client.logout()
    password_step(client, agent)
    again = client.post(reverse("accounts:second_factor"), {"code": codes[0]})
    assert again.status_code == 400 and not signed_in_as(client, agent)


def test_five_wrong_codes_lock_the_account_out_like_five_wrong_passwords(client):
    agent = administrator()
    totp = with_app(agent)
    password_step(client, agent)
    for _ in range(4):
        assert client.post(reverse("accounts:second_factor"), {"code": "abcde-fghij"}).status_code == 400
    response = client.post(reverse("accounts:second_factor"), {"code": "abcde-fghij"})
    assert response.status_code == 429 and "Connexion bloquée temporairement" in response.content.decode()
    assert client.get(reverse("accounts:second_factor"))["Location"] == reverse("accounts:login")
    # The password is refused too until the lock-out ends.
    assert password_step(client, agent).status_code == 429
    assert not signed_in_as(client, agent)
    assert totp.now()


def test_the_second_factor_is_mandatory_for_every_agent_role_and_may_be_relaxed_for_instructors(client, settings):
    applicant = UserFactory()
    password_step(client, applicant)
    assert signed_in_as(client, applicant), "an applicant who did not turn it on signs in with a password"
    client.logout()

    steering = UserFactory()
    organisation_role_grant(
        actor=None, user=steering, organisation=OrganisationFactory(), role=OrganisationRole.Role.STEERING
    )
    superuser = UserFactory(is_superuser=True, is_staff=True)
    for agent in (administrator(), steering, superuser, instructor_of(ProcedureFactory())):
        assert password_step(client, agent)["Location"] == reverse("accounts:second_factor_setup")
        assert not signed_in_as(client, agent)
        client.session.flush()

    settings.GUICHET_SECOND_FACTOR_FOR_INSTRUCTORS = False
    instructor = instructor_of(ProcedureFactory())
    password_step(client, instructor)
    assert signed_in_as(client, instructor)
    client.logout()
    assert password_step(client, administrator())["Location"] == reverse("accounts:second_factor_setup")


def test_an_applicant_may_turn_it_on_from_the_account_page_and_off_again(client):
    applicant = UserFactory()
    client.force_login(applicant)
    assert "La double authentification n’est pas activée" in client.get(reverse("accounts:profile")).content.decode()

    client.get(reverse("accounts:second_factor_setup"))
    secret = text_decrypt(client.session["second_factor_setup_secret"])
    response = client.post(reverse("accounts:second_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    assert "Vos codes de secours" in response.content.decode()
    assert "est <strong>activée</strong>" in client.get(reverse("accounts:profile")).content.decode()

    client.logout()
    assert password_step(client, applicant)["Location"] == reverse("accounts:second_factor")
    client.session.flush()

    client.force_login(applicant)
    client.post(reverse("accounts:second_factor_off"))
    assert not TOTPDevice.objects.filter(user=applicant).exists()
    assert not RecoveryCode.objects.filter(user=applicant).exists()
    assert AuditEvent.objects.filter(action="second_factor.disable").count() == 1


def test_an_agent_cannot_turn_it_off(client):
    agent = administrator()
    with_app(agent)
    client.force_login(agent)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Elle est obligatoire pour les comptes d’agents." in html and "Désactiver" not in html
    response = client.post(reverse("accounts:second_factor_off"), follow=True)
    assert "obligatoire pour les agents" in response.content.decode()
    assert TOTPDevice.objects.filter(user=agent).exists()


def test_new_recovery_codes_replace_the_former_ones(client):
    agent = administrator()
    with_app(agent)
    former = recovery_codes_replace(agent)
    client.force_login(agent)

    response = client.post(reverse("accounts:recovery_codes_new"))

    assert response.status_code == 200 and "Vos codes de secours" in response.content.decode()
    assert former[0] not in response.content.decode()
    assert RecoveryCode.objects.filter(user=agent).count() == 10
    assert not RecoveryCode.objects.filter(code_hash=hashlib.sha256(former[0].replace("-", "").encode()).hexdigest())


def test_a_lost_factor_is_reset_by_a_super_administrator_and_audited(client):
    agent = administrator()
    with_app(agent)
    recovery_codes_replace(agent)
    url = reverse("admin:accounts_user_second_factor_reset", args=[agent.pk])

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.post(url, {"reason": "Téléphone perdu"}).status_code == 403
    with pytest.raises(PermissionDenied):
        second_factor_reset(actor=staff, user=agent, reason="Téléphone perdu")

    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    change_page = client.get(reverse("admin:accounts_user_change", args=[agent.pk])).content.decode()
    assert url in change_page
    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    assert TOTPDevice.objects.filter(user=agent).exists()
    response = client.post(url, {"reason": "Téléphone perdu, identité vérifiée par sa cheffe de service"})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert not RecoveryCode.objects.filter(user=agent).exists()
    event = AuditEvent.objects.get(action="second_factor.reset")
    assert event.actor_id == superuser.pk and event.object_id == str(agent.pk)
    assert event.details["reason"] == "Téléphone perdu, identité vérifiée par sa cheffe de service"
    assert event.details["totp"] == 1 and event.details["recovery_codes"] == 10

    client.logout()
    assert password_step(client, agent)["Location"] == reverse("accounts:second_factor_setup")


def test_the_password_alone_cannot_enrol_another_factor_in_place_of_the_one_enrolled(client):
    agent = administrator()
    with_app(agent)
    password_step(client, agent)

    assert client.get(reverse("accounts:second_factor_setup"))["Location"] == reverse("accounts:second_factor")
    secret = pyotp.random_base32()
    session = client.session
    session["second_factor_setup_secret"] = text_encrypt(secret)
    session.save()
    response = client.post(reverse("accounts:second_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == reverse("accounts:second_factor")
    assert not signed_in_as(client, agent)
    assert TOTPDevice.objects.get(user=agent).secret != secret
    assert client.post(reverse("accounts:webauthn_register_options")).status_code == 403
