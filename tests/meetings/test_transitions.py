"""Transitions (issue 17): TRANSITION_NOTICE_MONTHS months before aftercare ends, the
responsible worker has the task "plan the hand-over to adult services" on the record and as a
reminder (once per young person and end date), until a plan records the next service."""

import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from cases.models import YouthClient
from meetings import notifications, services
from meetings.models import Notification
from meetings.pdf import plan_data
from meetings.transitions import add_months, transition_of
from tests import factories as f
from tests.meetings.test_export import SCHEMA, validate

Kind = Notification.Kind
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
ENDS = datetime.date(2027, 3, 15)


def at(day: str, hour=9):
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HELSINKI)


def sweep(day: str) -> list[tuple[str, int, str]]:
    """One sweep on `day`: the transition reminders it created (young person, recipient, key)."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with time_machine.travel(at(day), tick=False):
        notifications.reminders_create()
    new = Notification.objects.filter(kind=Kind.TRANSITION_DUE).exclude(pk__in=before)
    return [(str(n.youth_id), n.recipient_id, n.key) for n in new]


@pytest.fixture
def ending(youth):
    YouthClient.objects.filter(pk=youth.pk).update(aftercare_ends_on=ENDS)
    youth.refresh_from_db()
    return youth


def record_plan(youth, alice, kela, next_service=""):
    meeting = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    return services.plan_save(
        meeting=meeting,
        fields={"summary": "Sovittiin", "review_date": None, "next_service": next_service},
        version=None,
        by=alice,
    )


def test_months_are_calendar_months():
    assert add_months(datetime.date(2027, 3, 15), -3) == datetime.date(2026, 12, 15)
    assert add_months(datetime.date(2027, 5, 31), -3) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


def test_the_reminder_comes_once_three_months_before_the_end(ending, alice):
    assert sweep("2026-12-14") == []  # Monday: the notice starts tomorrow
    key = f"transition:{ending.pk}:20270315"
    assert sweep("2026-12-15") == [(str(ending.pk), alice.pk, key)]
    assert sweep("2026-12-15") == []  # a second sweep the same day
    assert sweep("2026-12-16") == []  # once per young person and end date
    n = Notification.objects.get(kind=Kind.TRANSITION_DUE)
    with time_machine.travel(at("2026-12-16"), tick=False):
        mail.outbox.clear()
        assert notifications.deliver(n.pk, "t") == "sent"
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert ending.first_name in message.body and "15.3.2027" in message.body
    assert ending.last_name not in message.body
    assert reverse("cases:detail", args=[ending.pk]) in message.body


def test_no_reminder_on_a_day_off_and_none_after_the_end(ending):
    assert sweep("2026-12-19") == []  # Saturday
    assert sweep("2027-03-16") == []  # aftercare has ended


def test_the_notice_follows_the_setting(ending, settings):
    settings.TRANSITION_NOTICE_MONTHS = 1
    assert sweep("2027-02-12") == []
    assert len(sweep("2027-02-15")) == 1


def test_a_plan_recording_the_next_service_ends_the_task(ending, alice, kela, consent):
    assert len(sweep("2026-12-15")) == 1
    n = Notification.objects.get(kind=Kind.TRANSITION_DUE)
    with time_machine.travel(at("2026-12-16"), tick=False):
        record_plan(ending, alice, kela, next_service="Aikuissosiaalityö")
        assert notifications.deliver(n.pk, "t") == "skipped"
        n.refresh_from_db()
        assert n.last_error == "planned"
        assert transition_of(ending, datetime.date(2026, 12, 16)).next_service == (
            "Aikuissosiaalityö"
        )
    assert sweep("2026-12-17") == []


def test_a_plan_without_the_next_service_leaves_the_task(ending, alice, kela, consent):
    with time_machine.travel(at("2026-12-15"), tick=False):
        record_plan(ending, alice, kela)
    assert len(sweep("2026-12-15")) == 1


def test_a_moved_end_date_is_a_new_task(ending, alice):
    assert len(sweep("2026-12-15")) == 1
    old = Notification.objects.get(kind=Kind.TRANSITION_DUE)
    YouthClient.objects.filter(pk=ending.pk).update(aftercare_ends_on=datetime.date(2027, 3, 1))
    with time_machine.travel(at("2026-12-16"), tick=False):
        assert notifications.deliver(old.pk, "t") == "skipped"
    assert [key for *_, key in sweep("2026-12-16")] == [f"transition:{ending.pk}:20270301"]


def test_the_reminder_follows_a_hand_over(ending, alice):
    colleague = f.WorkerFactory(organisation=alice.organisation)
    assert len(sweep("2026-12-15")) == 1
    with time_machine.travel(at("2026-12-15", 10), tick=False):
        services.youth_hand_over(youth=ending, to_worker=colleague, by=alice)
    assert Notification.objects.get(kind=Kind.TRANSITION_DUE).recipient == colleague


def test_the_record_shows_the_task_then_the_service(client_as, ending, alice, kela, consent):
    url = reverse("cases:detail", args=[ending.pk])
    with time_machine.travel(at("2026-12-14"), tick=False):
        assert 'id="transition-task"' not in client_as(alice).get(url).content.decode()
    with time_machine.travel(at("2026-12-15"), tick=False):
        client = client_as(alice)  # the session of the day before has expired
        page = client.get(url).content.decode()
        assert 'id="transition-task"' in page and "15.3.2027" in page
        assert "aikuisten palveluihin" in page
        record_plan(ending, alice, kela, next_service="Mielenterveyspalvelut")
        page = client.get(url).content.decode()
        assert "aikuisten palveluihin" not in page
        assert "Mielenterveyspalvelut" in page


def test_the_plan_form_and_the_export_carry_the_next_service(
    client_as, youth, alice, kela, consent
):
    plan = record_plan(youth, alice, kela)
    response = client_as(alice).post(
        reverse("meetings:plan", args=[plan.meeting_id]),
        {
            "summary": "Sovittiin",
            "kela_cooperation": "yes",
            "review_date": (plan.meeting.day + datetime.timedelta(days=30)).strftime("%d.%m.%Y"),
            "next_service": "TE-palvelut",
            "version": plan.version,
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.next_service == "TE-palvelut"
    data = json.loads(json.dumps(plan_data(plan, include_identity_code=False), default=str))
    assert data["next_service"] == "TE-palvelut"
    validate(data, SCHEMA)
    page = client_as(alice).get(reverse("meetings:detail", args=[plan.meeting_id]))
    assert "TE-palvelut" in page.content.decode()


def test_the_task_is_in_the_workers_notifications(client_as, ending, alice):
    assert len(sweep("2026-12-15")) == 1
    with time_machine.travel(at("2026-12-15", 10), tick=False):
        response = client_as(alice).get(reverse("notifications"))
    (row,) = response.context["rows"]
    assert row["url"] == reverse("cases:detail", args=[ending.pk])
    assert ending.first_name in row["body"] and "15.3.2027" in row["body"]


def test_another_organisation_sees_only_a_neutral_line(client_as, ending, alice, bob):
    assert len(sweep("2026-12-15")) == 1
    # Were a row ever addressed to an outsider, its content stays hidden (with_content_access).
    Notification.objects.update(recipient=bob)
    with time_machine.travel(at("2026-12-15", 10), tick=False):
        response = client_as(bob).get(reverse("notifications"))
    (row,) = response.context["rows"]
    assert row["url"] is None and ending.first_name not in row["body"]
