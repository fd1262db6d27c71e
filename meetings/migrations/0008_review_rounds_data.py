"""Existing reviews and meetings into review rounds (nothing is deleted).

- `agreed_for`: a round is agreed by the review before it (its next review date); the first
  review of a plan, whose agreed date was overwritten, gets the day it was held.
- `kela_continues`: as the plan says today, unless the review closed the cooperation.
- `end_reason`: "other" for reviews that closed the cooperation (no reason was asked then).
- Meetings "reviewed": "in follow-up" while the plan has a review date (future or overdue),
  else "cooperation ended" (a review without a next date closed it).
"""

import datetime

from django.db import migrations


def reviews_forward(apps, schema_editor):
    Review = apps.get_model("meetings", "Review")
    previous = {}  # plan id -> (its previous review, the agreed dates used)
    for review in Review.objects.select_related("plan").order_by("plan_id", "held_on", "id"):
        before, used = previous.get(review.plan_id, (None, set()))
        agreed = (before.next_review_date if before else None) or review.held_on
        while agreed in used:  # one review per round: never two for one date
            agreed += datetime.timedelta(days=1)
        used.add(agreed)
        review.agreed_for = agreed
        review.kela_continues = (
            review.plan.kela_cooperation == "yes" and not review.close_cooperation
        )
        review.end_reason = "other" if review.close_cooperation else ""
        review.save(update_fields=["agreed_for", "kela_continues", "end_reason"])
        previous[review.plan_id] = (review, used)


def meetings_forward(apps, schema_editor):
    JointMeeting = apps.get_model("meetings", "JointMeeting")
    reviewed = JointMeeting.objects.filter(status="reviewed")
    reviewed.filter(plan__review_date__isnull=False).update(status="in_follow_up")
    reviewed.update(status="cooperation_ended")


def meetings_backward(apps, schema_editor):
    JointMeeting = apps.get_model("meetings", "JointMeeting")
    JointMeeting.objects.filter(status__in=["in_follow_up", "cooperation_ended"]).update(
        status="reviewed"
    )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0007_review_rounds")]

    operations = [
        migrations.RunPython(reviews_forward, migrations.RunPython.noop),
        migrations.RunPython(meetings_forward, meetings_backward),
    ]
