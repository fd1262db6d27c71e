"""Issue 15, finding 4: on PostgreSQL nothing in the database ties an answer to the link it was
given with, its meeting or its person: no system column (the transaction id `xmin`, the
physical place `ctid`), no id order, no row left of the link.

The attacks are run as someone reading the database would: the link (and the meeting it names)
of each answer is looked for through a shared `xmin`, before and after VACUUM FREEZE, and by
putting the responses and the used links in the order of their ids."""

import os
import random

import pytest
from django.db import connection
from django.test import Client

from feedback import services as feedback
from feedback.models import Answer, Response, SurveyLink
from tests import factories as f

from .conftest import current, form_data

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="xmin and ctid are PostgreSQL's system columns (CI runs this there)",
)

N = 10  # responses: the chance that random ids fall in the order of arrival is 1 / 10!
# Tables that name a meeting, a participant or a person.
NAMING = [
    "feedback_surveylink",
    "meetings_jointmeeting",
    "meetings_participant",
    "meetings_notification",
    "kelayhteistyo_accesslog",
    "cases_youthclient",
]


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sharing_xmin() -> dict[str, int]:
    """The rows of the naming tables written in the transaction of an answer."""
    answers = (
        "SELECT xmin::text FROM feedback_response UNION SELECT xmin::text FROM feedback_answer"
    )
    return {
        table: _rows(f"SELECT count(*) FROM {table} WHERE xmin::text IN ({answers})")[0][0]  # noqa: S608
        for table in NAMING
    }


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_no_system_column_or_id_order_ties_an_answer_to_its_link(alice, kela):
    assert connection.vendor == "postgresql", "CI must run this on PostgreSQL"
    meetings, links = [], []
    for _ in range(N):
        youth = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
        f.ConsentFactory(youth=youth, recorded_by=alice)
        meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        meetings.append(meeting)
        links.append(meeting.survey_links.get(participant__kind="young_person"))
    arrival = list(range(N))
    random.shuffle(arrival)
    survey = current()
    for i in arrival:  # each young person answers, in their own time
        data = form_data(survey, comment=f"Vastaus {i}")
        assert Client().post(feedback.answer_path(links[i]), data).status_code == 302
    texts = dict(Answer.objects.exclude(text="").values_list("response_id", "text"))

    # A shared transaction id, before and after freezing (FREEZE keeps xmin).
    assert _sharing_xmin() == dict.fromkeys(NAMING, 0)
    with connection.cursor() as cursor:
        for table in ["feedback_response", "feedback_answer", *NAMING]:
            cursor.execute(f"VACUUM FREEZE {table}")
    assert _sharing_xmin() == dict.fromkeys(NAMING, 0)

    # The links are gone: no row, no ctid, no code left to join.
    assert not SurveyLink.objects.filter(pk__in=[link.pk for link in links]).exists()
    codes = [link.code for link in links]
    assert not _rows("SELECT ctid FROM feedback_surveylink WHERE code = ANY(%s)", [codes])

    # Id order: responses by id, and by the smallest id of their answers, against the order of
    # the links (the order in which the meetings were marked held) and of arrival.
    by_response_id = [
        texts[pk] for pk in Response.objects.order_by("pk").values_list("pk", flat=True)
    ]
    first_answer = (
        Answer.objects.exclude(text="").order_by("pk").values_list("response_id", flat=True)
    )
    by_answer_id = [texts[pk] for pk in first_answer]
    in_link_order = [f"Vastaus {i}" for i in range(N)]
    in_arrival_order = [f"Vastaus {i}" for i in arrival]
    for order in (by_response_id, by_answer_id):
        assert order not in (in_link_order, in_arrival_order)
    ids = list(Answer.objects.values_list("pk", flat=True))
    assert max(ids) - min(ids) > 2**40  # random, not a sequence with gaps
