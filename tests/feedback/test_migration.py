"""The migrations of issue 15 (findings 4 and 5) keep every answer, keep the response rates, and
leave nothing of the used links."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from feedback.models import Answer, LinkCount, Response, SurveyLink, quarter_start
from tests import factories as f

BEFORE = [("feedback", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_answer_and_forgets_the_used_links(alice, kela):
    old = _migrate(BEFORE)
    OldLink, OldResponse, OldAnswer = (
        old.get_model("feedback", name) for name in ("SurveyLink", "Response", "Answer")
    )
    survey = old.get_model("feedback", "Survey").objects.get(group="young_person", is_current=True)
    question = survey.questions.get(key="comment")
    now = timezone.now()
    county = alice.organisation.county_id
    meetings = []
    for _ in range(6):
        youth = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
        f.ConsentFactory(youth=youth, recorded_by=alice)
        meetings.append(f.invited_meeting(youth=youth, organiser=alice, kela=kela))
    # In the quarter before this one: the old links and answers count there.
    last_quarter = quarter_start(timezone.localdate()) - datetime.timedelta(days=10)
    made = timezone.make_aware(datetime.datetime.combine(last_quarter, datetime.time(12)))
    for i, meeting in enumerate(meetings):
        young = meeting.participants.get(kind="young_person")
        answered = i < 3  # the fourth has expired, the last two can be answered
        OldLink.objects.create(
            code=f"CODE{i:06d}",
            meeting_id=meeting.pk,
            participant_id=None if answered else young.pk,
            group="young_person",
            created_at=made if i < 4 else now,
            expires_at=made + datetime.timedelta(days=30)
            if i < 4
            else now + datetime.timedelta(30),
            answered=answered,
        )
        if answered:
            response = OldResponse.objects.create(
                survey_id=survey.pk,
                group="young_person",
                meeting_month=timezone.localdate(made).replace(day=1),
                modality="video",
                county_id=county,
                client_group="aftercare",
                language="fi",
            )
            OldAnswer.objects.create(response=response, question_id=question.pk, text=f"Sanoin {i}")
    old_ids = set(OldAnswer.objects.values_list("pk", flat=True))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Every answer, with its response and text; random ids now.
    assert sorted(Answer.objects.values_list("text", flat=True)) == [
        "Sanoin 0",
        "Sanoin 1",
        "Sanoin 2",
    ]
    assert Response.objects.count() == 3
    assert set(Response.objects.values_list("quarter", flat=True)) == {
        quarter_start(timezone.localdate(made))
    }
    assert not old_ids & set(Answer.objects.values_list("pk", flat=True))
    # The response rates: every link made so far, counted in its cell.
    counts = Counter()
    for cell in LinkCount.objects.all():
        counts[cell.county_id, cell.quarter, cell.group] += cell.n
    assert counts == {
        (county, quarter_start(timezone.localdate(made)), "young_person"): 4,
        (county, quarter_start(timezone.localdate(now)), "young_person"): 2,
    }
    # The used and the expired links are gone; those that can still be answered stay.
    assert sorted(SurveyLink.objects.values_list("code", flat=True)) == ["CODE000004", "CODE000005"]
    assert not SurveyLink.objects.filter(participant=None).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'feedback_surveylink'")
            assert "autovacuum_vacuum_threshold=1" in cursor.fetchone()[0]
