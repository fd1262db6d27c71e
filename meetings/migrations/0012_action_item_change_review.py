"""Which review round an item was ticked done in (for the client plan export, issue 16).

Reviews recorded before this field existed ticked their items in the same request, right after
the review row was saved, as the user who recorded the review: those ticks are linked here."""

import datetime

import django.db.models.deletion
from django.db import migrations, models


def link_ticks_to_reviews(apps, schema_editor):
    Review = apps.get_model("meetings", "Review")
    ActionItemChange = apps.get_model("meetings", "ActionItemChange")
    for review in Review.objects.all().iterator():
        ActionItemChange.objects.filter(
            item__plan_id=review.plan_id,
            field="status",
            new_value="done",
            changed_by_id=review.recorded_by_id,
            changed_at__gte=review.recorded_at,
            changed_at__lte=review.recorded_at + datetime.timedelta(minutes=1),
            review__isnull=True,
        ).update(review=review)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0011_action_item_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionitemchange",
            name="review",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="item_changes",
                to="meetings.review",
            ),
        ),
        migrations.RunPython(link_ticks_to_reviews, migrations.RunPython.noop),
    ]
