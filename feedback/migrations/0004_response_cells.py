"""Issue 15 (findings 4 and 5), step 3 of 3: what a response or a link no longer keeps.

A response keeps its reporting cell only (county × quarter × survey version); the meeting's
month, modality and client group narrowed the answerers down to a few, often to one. A link no
longer has `answered`: a used link is deleted. On PostgreSQL, autovacuum clears the deleted
link rows soon after (until then their old versions stay on disk)."""

from django.db import migrations, models


def vacuum_links_soon(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE feedback_surveylink SET (autovacuum_vacuum_scale_factor = 0, "
            "autovacuum_vacuum_threshold = 1)"
        )


def vacuum_links_as_usual(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE feedback_surveylink RESET (autovacuum_vacuum_scale_factor, "
            "autovacuum_vacuum_threshold)"
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_forget_used_links")]

    operations = [
        migrations.AlterField(
            model_name="response",
            name="quarter",
            field=models.DateField(verbose_name="quarter"),
        ),
        migrations.RemoveIndex(model_name="response", name="feedback_re_group_03c0b1_idx"),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(fields=["group", "quarter"], name="feedback_re_group_dbbdea_idx"),
        ),
        migrations.RemoveField(model_name="response", name="client_group"),
        migrations.RemoveField(model_name="response", name="meeting_month"),
        migrations.RemoveField(model_name="response", name="modality"),
        migrations.RemoveField(model_name="surveylink", name="answered"),
        migrations.RunPython(vacuum_links_soon, vacuum_links_as_usual),
    ]
