"""The application's own database role (issue 15, finding 9; docs/security.md, "Database
roles"): logged in as it, the access log can be appended to and read, and nothing else; the
other tables are read and written as usual."""

import io
import os
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="database roles are PostgreSQL's (CI runs this there)",
)


@pytest.fixture
def app_role(transactional_db):
    """A role of this test only (roles are shared by every database of the server)."""
    assert connection.vendor == "postgresql", "CI must run this on PostgreSQL"
    name = f"yhteistyo_app_test_{uuid.uuid4().hex[:10]}"
    yield name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone():
            cursor.execute(f"DROP OWNED BY {name}")  # its grants, here and on the database
            cursor.execute(f"DROP ROLE {name}")


def log_in_as(role: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"] or None, dbname=s["NAME"], user=role, autocommit=True
    )


def test_the_application_role_appends_to_the_log_and_nothing_more(app_role, youth, alice):
    row = access_log_write(user=alice, youth_id=youth.pk, action=AccessLog.Action.READ, obj=youth)
    for _again in range(2):  # running it again changes nothing
        out = io.StringIO()
        call_command("db_roles", app_role=app_role, stdout=out)
        assert "only INSERT and SELECT on kelayhteistyo_accesslog" in out.getvalue()

    columns = sql.SQL(", ").join(
        sql.Identifier(f.column) for f in AccessLog._meta.concrete_fields if not f.primary_key
    )
    with log_in_as(app_role) as app:
        app.execute(
            sql.SQL(
                "INSERT INTO kelayhteistyo_accesslog ({c}) "
                "SELECT {c} FROM kelayhteistyo_accesslog WHERE id = %s"
            ).format(c=columns),
            [row.pk],
        )
        assert app.execute("SELECT count(*) FROM kelayhteistyo_accesslog").fetchone() == (2,)
        for refused in (
            "UPDATE kelayhteistyo_accesslog SET action = 'change'",
            "DELETE FROM kelayhteistyo_accesslog",
            "TRUNCATE kelayhteistyo_accesslog",
            "ALTER TABLE kelayhteistyo_accesslog DISABLE TRIGGER ALL",
            "DROP TRIGGER kelayhteistyo_accesslog_append_only ON kelayhteistyo_accesslog",
            "DROP FUNCTION kelayhteistyo_accesslog_append_only() CASCADE",
            "DROP TABLE kelayhteistyo_accesslog",
            "DELETE FROM django_migrations",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(refused)

        # The other tables, as usual.
        app.execute("UPDATE cases_youthclient SET first_name = 'Aina' WHERE id = %s", [youth.pk])
        app.execute("INSERT INTO django_session VALUES ('k', 'd', now() + interval '1 hour')")
        app.execute("DELETE FROM django_session WHERE session_key = 'k'")
    youth.refresh_from_db()
    assert youth.first_name == "Aina"
    assert AccessLog.objects.count() == 2


def test_the_owner_cannot_be_the_application_role(transactional_db):
    assert connection.vendor == "postgresql", "CI must run this on PostgreSQL"
    owner = connection.settings_dict["USER"] or "postgres"
    with pytest.raises(CommandError, match="not as the application role"):
        call_command("db_roles", app_role=owner)
