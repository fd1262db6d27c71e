"""The application's own PostgreSQL role (docs/security.md, "Database roles").

Run as the database owner, the role that migrates, after every `migrate`; running it again
changes nothing. The application role may read and write the tables, but on the access log only
INSERT and SELECT, and it owns nothing: it cannot drop the append-only trigger, alter or truncate
the log, or migrate back past the trigger.
"""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from kelayhteistyo.models import AccessLog

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
DML = "SELECT, INSERT, UPDATE, DELETE"


class Command(BaseCommand):
    help = (
        "Create or update the application's database role (PostgreSQL): normal reads and writes, "
        "only INSERT and SELECT on the access log. Run as the owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app-role", required=True, help="the role the web app, worker and beat log in as"
        )
        parser.add_argument(
            "--password-env",
            default="DATABASE_APP_PASSWORD",
            help="environment variable with the role's password (left as it is when unset)",
        )

    def handle(self, *, app_role, password_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL only.")
        if not ROLE_NAME.fullmatch(app_role):
            raise CommandError("A role name is lowercase letters, digits and underscores.")
        with transaction.atomic(), connection.cursor() as cursor:
            owner = _app_role_setup(cursor, app_role, os.environ.get(password_env))
        self.stdout.write(
            f"{app_role}: reads and writes the tables owned by {owner}; "
            f"only INSERT and SELECT on {AccessLog._meta.db_table}."
        )


def _app_role_setup(cursor, app_role: str, password: str | None) -> str:
    q = connection.ops.quote_name
    cursor.execute("SELECT current_user, current_database(), current_schema()")
    owner, database, schema = cursor.fetchone()
    if app_role == owner:
        raise CommandError("Run this as the owner, not as the application role.")
    cursor.execute(
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls,"
        " pg_has_role(rolname, current_user, 'USAGE') FROM pg_roles WHERE rolname = %s",
        [app_role],
    )
    found = cursor.fetchone()
    if found is None:
        cursor.execute(f"CREATE ROLE {q(app_role)} LOGIN")
    elif found[0] or found[1]:
        raise CommandError(
            f"{app_role} has rights of its own (superuser, creating roles or databases, "
            f"replication, bypassing row security) or those of {owner}: remove them first."
        )
    cursor.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tableowner = %s",
        [schema, app_role],
    )
    if cursor.fetchone()[0]:
        raise CommandError(
            f"{app_role} owns tables: REASSIGN OWNED BY {app_role} TO {owner} first."
        )
    if password:
        cursor.execute(f"ALTER ROLE {q(app_role)} LOGIN PASSWORD %s", [password])

    app, log = q(app_role), q(AccessLog._meta.db_table)
    migrations = q(MigrationRecorder.Migration._meta.db_table)
    for statement in (
        f"GRANT CONNECT ON DATABASE {q(database)} TO {app}",
        f"GRANT USAGE ON SCHEMA {q(schema)} TO {app}",
        f"GRANT {DML} ON ALL TABLES IN SCHEMA {q(schema)} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {app}",
        # Tables of later migrations, before this runs again.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA {q(schema)}"
        f" GRANT {DML} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA {q(schema)}"
        f" GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        # The access log: appended to and read, nothing else (the trigger refuses UPDATE and
        # DELETE for everyone; the application is not even granted them).
        f"REVOKE ALL ON {log} FROM {app}",
        f"GRANT SELECT, INSERT ON {log} TO {app}",
        # Which migrations ran is the owner's business.
        f"REVOKE ALL ON {migrations} FROM {app}",
        f"GRANT SELECT ON {migrations} TO {app}",
    ):
        cursor.execute(statement)
    return owner
