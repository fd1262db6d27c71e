"""The access log is append-only in the database itself: on PostgreSQL a trigger refuses every
UPDATE and DELETE of a row, whoever asks (the application, the admin, a mistaken script).

TRUNCATE is left to the database owner (test databases are emptied that way); in production the
application's database role should not own the table (see docs/security.md).
SQLite (the quick start) has no such protection.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kelayhteistyo_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER kelayhteistyo_accesslog_append_only
    BEFORE UPDATE OR DELETE ON kelayhteistyo_accesslog
    FOR EACH ROW EXECUTE FUNCTION kelayhteistyo_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS kelayhteistyo_accesslog_append_only ON kelayhteistyo_accesslog;
DROP FUNCTION IF EXISTS kelayhteistyo_accesslog_append_only();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("kelayhteistyo", "0003_access_log_denied")]
    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
