"""The home pages' lists (issue 20), second step: the organisation and young person of the
existing action items and plans, copied from their meetings; then required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

FILL = [
    """
    UPDATE meetings_followupplan p SET organisation_id = m.organisation_id
    FROM meetings_jointmeeting m WHERE m.id = p.meeting_id
    """,
    """
    UPDATE meetings_actionitem i SET organisation_id = m.organisation_id, youth_id = m.youth_id
    FROM meetings_followupplan p JOIN meetings_jointmeeting m ON m.id = p.meeting_id
    WHERE p.id = i.plan_id
    """,
]


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The foreign keys are checked at once, not at the end: the columns are altered after.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in FILL:
            schema_editor.execute(sql)
        return
    # The quick start's SQLite: the same from the meetings, row by row (a demo's few rows).
    meeting = apps.get_model("meetings", "JointMeeting").objects.filter(pk=OuterRef("meeting_id"))
    plans = apps.get_model("meetings", "FollowUpPlan").objects
    plans.update(organisation_id=Subquery(meeting.values("organisation_id")))
    item_meeting = apps.get_model("meetings", "JointMeeting").objects.filter(
        plan__id=OuterRef("plan_id")
    )
    items = apps.get_model("meetings", "ActionItem").objects
    items.update(
        organisation_id=Subquery(item_meeting.values("organisation_id")),
        youth_id=Subquery(item_meeting.values("youth_id")),
    )


def _fk(to):
    return models.ForeignKey(
        editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=to
    )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0024_home_lists_indexes")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("actionitem", "organisation", _fk("kelayhteistyo.organisation")),
        migrations.AlterField("actionitem", "youth", _fk("cases.youthclient")),
        migrations.AlterField(
            "followupplan", "organisation", _fk("kelayhteistyo.organisation")
        ),
    ]
