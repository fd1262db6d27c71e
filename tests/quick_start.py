"""`make run` on a fresh machine, as tests/test_quick_start.py runs it in a process of its own:
the quick start's SQLite database migrated from nothing, the demo seeded, the pages each demo
role opens first answered, and a feedback answer counted in the results' summary rows (their
upsert is PostgreSQL's in production; the quick start has its own). Prints "ok" at the end.
"""

import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelayhteistyo.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

assert connection.vendor == "sqlite", connection.vendor
call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=io.StringIO())
setup_test_environment()

from feedback import services as feedback  # noqa: E402
from feedback.models import AnswerCount, Question, ResponseCell, Survey, SurveyLink  # noqa: E402
from kelayhteistyo.models import User  # noqa: E402
from meetings.models import JointMeeting  # noqa: E402
from tests import factories as f  # noqa: E402

WORKER = "tyontekija.a@demo.fi"
meeting = JointMeeting.objects.filter(organiser__email=WORKER, plan__isnull=False).last()
PAGES = {
    WORKER: [
        reverse("home"),
        reverse("home") + "?scope=organisation",
        reverse("cases:list"),
        reverse("cases:detail", args=[meeting.youth_id]),
        reverse("meetings:list"),
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("notifications"),
    ],
    "kela.yhteys@demo.fi": [reverse("home"), reverse("kela_profile")],
    "koordinaattori@demo.fi": [
        reverse("dashboard"),
        reverse("dashboard") + "?client_group=aftercare&modality=video",
        reverse("feedback:results"),
    ],
}
for email, urls in PAGES.items():
    client = f.log_in(Client(), User.objects.get(email=email))
    for url in urls:
        status = client.get(url).status_code
        assert status == 200, f"{email} {url}: {status}"

link = SurveyLink.objects.select_related("meeting__youth__organisation").first()
survey = Survey.objects.filter(group=link.group, is_current=True).first()
question = Question.objects.filter(survey=survey, kind__in=Question.WITH_CHOICES).first()
choice = question.choices.first()
before = sum(ResponseCell.objects.values_list("n", flat=True))
feedback.response_save(link=link, survey=survey, answers=[(question, choice.pk)], language="fi")
assert sum(ResponseCell.objects.values_list("n", flat=True)) == before + 1
counted = AnswerCount.objects.filter(question=question, choice=choice)
kept = sum(counted.values_list("n", flat=True))
feedback.counts_rebuild()  # the same figures again from the raw rows
assert sum(counted.values_list("n", flat=True)) == kept, "summary rows differ from the answers"
print("ok")
