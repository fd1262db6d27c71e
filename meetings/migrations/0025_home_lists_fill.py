"""The home pages' lists (issue 20), second step: the organisation and young person of the
existing action items and plans, copied from their meetings; then required."""

import django.db.models.deletion
from django.db import migrations, models

FILL = [
    # The foreign keys are checked at once, not at the end: the columns are altered after.
    "SET CONSTRAINTS ALL IMMEDIATE",
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


def _fk(to):
    return models.ForeignKey(
        editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=to
    )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0024_home_lists_indexes")]

    operations = [
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField("actionitem", "organisation", _fk("kelayhteistyo.organisation")),
        migrations.AlterField("actionitem", "youth", _fk("cases.youthclient")),
        migrations.AlterField(
            "followupplan", "organisation", _fk("kelayhteistyo.organisation")
        ),
    ]
