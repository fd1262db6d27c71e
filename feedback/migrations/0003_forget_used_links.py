"""Issue 15 (findings 4 and 5), step 2 of 3: the data.

- Every link made so far is counted in LinkCount (county of the meeting × quarter in which it
  was made × group), so that the response rates stay as they were.
- Used and expired links are deleted: a used link kept its meeting, which tied the answer to it.
- A response's quarter is the quarter of its meeting's month (when it was given is not known;
  new answers count in the quarter they are given in).
- Answers get random ids.

Rows are rewritten in a random order, so that their new place on disk (PostgreSQL writes a new
row version) does not follow the order in which the answers came in. No answer is lost: the
meeting's month, modality and client group of a response are dropped in step 3, the answers
stay."""

import datetime
import random
import secrets
from collections import Counter

from django.db import migrations
from django.utils import timezone


def quarter_start(day: datetime.date) -> datetime.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def forward(apps, schema_editor):
    SurveyLink = apps.get_model("feedback", "SurveyLink")
    LinkCount = apps.get_model("feedback", "LinkCount")
    Response = apps.get_model("feedback", "Response")
    Answer = apps.get_model("feedback", "Answer")
    shuffle = random.SystemRandom().shuffle

    cells = Counter(
        (county, quarter_start(timezone.localdate(created)), group)
        for county, created, group in SurveyLink.objects.values_list(
            "meeting__youth__organisation__county", "created_at", "group"
        ).iterator()
    )
    LinkCount.objects.bulk_create(
        LinkCount(county_id=county, quarter=quarter, group=group, n=n)
        for (county, quarter, group), n in cells.items()
    )
    SurveyLink.objects.filter(answered=True).delete()
    SurveyLink.objects.filter(expires_at__lte=timezone.now()).delete()

    responses = list(Response.objects.values_list("pk", "meeting_month"))
    shuffle(responses)
    for pk, month in responses:
        Response.objects.filter(pk=pk).update(quarter=quarter_start(month))

    answers = list(Answer.objects.values_list("pk", flat=True))
    shuffle(answers)
    for pk in answers:
        Answer.objects.filter(pk=pk).update(id=secrets.randbits(63))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_link_counts_and_quarters")]

    # Forward only: the links deleted and the order of the answers cannot come back.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
