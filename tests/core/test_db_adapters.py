"""How values travel to PostgreSQL: the models' choices dumped as their base class, and statements
prepared once they come back (config/settings/base.py, decision 0056)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from psycopg.adapt import PyFormat

from config.settings.base import database_settings
from guichet.core.audit import audit_record
from guichet.core.db_adapters import _choices
from guichet.core.models import AuditAction, AuditEvent
from guichet.dossiers.models import DossierState, Opinion

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's adapters")


@pytest.mark.django_db
@on_postgresql
def test_every_enumeration_of_choices_is_dumped_as_its_base_class():
    connection.ensure_connection()
    adapters = connection.connection.adapters
    found = dict(_choices())
    assert found[AuditAction] is str and found[DossierState] is str
    for cls, base in found.items():
        for fmt in PyFormat:
            assert adapters.get_dumper(cls, fmt) is adapters.get_dumper(base, fmt), (cls, fmt)


@pytest.mark.django_db
@on_postgresql
def test_a_choice_is_stored_and_read_back_as_its_value():
    audit_record(actor=None, action=AuditAction.DOSSIER_SUBMIT, details={"n": 1})
    with connection.cursor() as cursor:
        cursor.execute("SELECT action FROM core_auditevent ORDER BY id DESC LIMIT 1")
        assert cursor.fetchone()[0] == "dossier.submit"
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_SUBMIT).count() == 1
    with connection.cursor() as cursor:  # an integer choice, as PostgreSQL receives it
        cursor.execute("SELECT %s + 1, %s", [Opinion.Overall.GOOD, Opinion.Overall.AVERAGE])
        assert cursor.fetchone() == (11, 5)


@pytest.mark.django_db
@on_postgresql
def test_a_statement_sent_often_is_prepared_on_the_connection():
    for _ in range(6):
        list(AuditEvent.objects.filter(action=AuditAction.DOSSIER_SUBMIT).values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1


@pytest.mark.parametrize(("value", "expected"), [(None, 5), ("12", 12), ("off", None), ("", None)])
def test_the_prepare_threshold_comes_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("GUICHET_DATABASE_PREPARE_THRESHOLD", raising=False)
    else:
        monkeypatch.setenv("GUICHET_DATABASE_PREPARE_THRESHOLD", value)
    options = database_settings("postgres://guichet@db.example:5432/guichet")["OPTIONS"]
    assert options["prepare_threshold"] == expected
    assert options["server_side_binding"] is True


def test_a_prepare_threshold_that_is_not_a_number_is_refused_clearly(monkeypatch):
    monkeypatch.setenv("GUICHET_DATABASE_PREPARE_THRESHOLD", "cinq")
    with pytest.raises(ImproperlyConfigured, match="nombre entier positif ou « off »"):
        database_settings("postgres://guichet@db.example:5432/guichet")
