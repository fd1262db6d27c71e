import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    JointMeeting = apps.get_model("meetings", "JointMeeting")
    YouthClient = apps.get_model("cases", "YouthClient")
    JointMeeting.objects.update(
        organisation_id=models.Subquery(
            YouthClient.objects.filter(pk=models.OuterRef("youth_id")).values("organisation_id")
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_initial"),
        ("kelayhteistyo", "0005_user_email_problem_user_muted_reminders"),
        ("meetings", "0004_alter_notification_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="jointmeeting",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="kelayhteistyo.organisation",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="jointmeeting",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="kelayhteistyo.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="jointmeeting",
            index=models.Index(fields=["organisation", "-starts_at"], name="meeting_org_newest"),
        ),
        migrations.AddIndex(
            model_name="jointmeeting",
            index=models.Index(fields=["youth", "starts_at"], name="meeting_youth_first"),
        ),
    ]
