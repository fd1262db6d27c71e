"""The home pages' lists by index ranges (issue 20), first step: action items and plans carry
their meeting's organisation (and the items its young person); partial indexes on the open
items, the plans with a review date and the participants who take part. The columns are filled
in the next migration, after the indexes exist: filled before, the rows' updates would leave
chains the new indexes cannot use until every older transaction has ended (indcheckxmin)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

def _fk(to, null):
    return models.ForeignKey(
        null=null,
        editable=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to=to,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_cooperation_requests"),
        ("kelayhteistyo", "0013_cooperation_requests"),
        ("meetings", "0023_youth_languages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField("actionitem", "organisation", _fk("kelayhteistyo.organisation", True)),
        migrations.AddField("actionitem", "youth", _fk("cases.youthclient", True)),
        migrations.AddField("followupplan", "organisation", _fk("kelayhteistyo.organisation", True)),
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["organisation", "due_date", "id"],
                name="item_open_org_due",
            ),
        ),
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["youth", "due_date"],
                name="item_open_youth_due",
            ),
        ),
        migrations.AddIndex(
            model_name="actionitem",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["owner", "due_date"],
                name="item_open_owner_due",
            ),
        ),
        migrations.AddIndex(
            model_name="followupplan",
            index=models.Index(
                condition=models.Q(("review_date__isnull", False)),
                fields=["organisation", "review_date", "id"],
                name="plan_org_review_date",
            ),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(
                condition=models.Q(("status", "declined"), _negated=True),
                fields=["user", "status"],
                include=["id", "meeting"],
                name="participant_user_taking_part",
            ),
        ),
    ]
