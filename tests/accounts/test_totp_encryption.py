"""The authenticator apps' secrets are stored encrypted (guichet/core/encryption.py): a copy of the
database gives no one a person's codes; keys can be rotated; rows of before are encrypted by a migration."""

import io

import pyotp
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from guichet.accounts.models import TOTPDevice
from guichet.accounts.second_factor import totp_verify
from guichet.core.encryption import EncryptionKeyMissing
from tests.factories import UserFactory


def stored(device: TOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_secret_is_not_in_the_database_in_clear_and_codes_still_work():
    secret = pyotp.random_base32()
    device = TOTPDevice.objects.create(user=UserFactory(), secret=secret)
    raw = stored(device)
    assert secret not in raw and raw.startswith("gAAAAA")  # a Fernet token
    assert TOTPDevice.objects.get(pk=device.pk).secret == secret
    assert totp_verify(user=device.user, code=pyotp.TOTP(secret).now())


@pytest.mark.django_db
def test_keys_rotate_without_losing_a_secret(settings):
    secret = pyotp.random_base32()
    device = TOTPDevice.objects.create(user=UserFactory(), secret=secret)  # a key from SECRET_KEY
    before = stored(device)

    # A key of its own is set, and later SECRET_KEY changes (the old one kept as a fallback).
    new_key = Fernet.generate_key().decode()
    settings.GUICHET_ENCRYPTION_KEYS = [new_key]
    settings.SECRET_KEY_FALLBACKS, settings.SECRET_KEY = [settings.SECRET_KEY], "a-new-secret-key-" + "y" * 40
    assert TOTPDevice.objects.get(pk=device.pk).secret == secret  # still read with the former key
    output = io.StringIO()
    call_command("encrypted_values_rotate", stdout=output)
    assert "1 ligne(s)" in output.getvalue() and stored(device) != before

    settings.SECRET_KEY_FALLBACKS = []  # the former key withdrawn: the rotated value does not need it
    assert TOTPDevice.objects.get(pk=device.pk).secret == secret
    settings.GUICHET_ENCRYPTION_KEYS = []  # the key that encrypted it withdrawn too: said, not guessed
    with pytest.raises(EncryptionKeyMissing, match="encrypted_values_rotate"):
        TOTPDevice.objects.get(pk=device.pk)


@pytest.mark.django_db(transaction=True)
def test_secrets_stored_in_clear_before_are_encrypted_by_the_migration():
    user = UserFactory()
    secret = pyotp.random_base32()
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_archivist_role")])
    old = executor.loader.project_state(("accounts", "0005_archivist_role")).apps
    old.get_model("accounts", "TOTPDevice").objects.create(user_id=user.pk, secret=secret)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice")
        assert cursor.fetchone()[0] == secret

    executor = MigrationExecutor(connection)
    # Forward to the latest schema (not only 0006): the tests run after this one in the same
    # process use the current models.
    executor.migrate(executor.loader.graph.leaf_nodes())

    device = TOTPDevice.objects.get(user=user)
    assert device.secret == secret and secret not in stored(device)
