"""The young person's reminders by text message (issue 19): the meeting the next working day and
their own task due, by SMS to the number on the record while a valid consent covers messages
to them; through send_sms (MemoryBackend here), exactly once, retried when the gateway fails."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from cases import services as case_services
from kelayhteistyo import sms
from meetings import notifications, services
from meetings.models import ActionItem, Notification, Participant
from tests import factories as f

Kind = Notification.Kind
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def at(day: str, hour=9):
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HELSINKI)


def deliver_all(task_id="task-1"):
    return [
        notifications.deliver(pk, task_id)
        for pk in Notification.objects.order_by("pk").values_list("pk", flat=True)
    ]


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "kelayhteistyo.sms.MemoryBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def texting_youth(youth, consent):
    type(youth).objects.filter(pk=youth.pk).update(phone="+358401234567")
    type(consent).objects.filter(pk=consent.pk).update(scope_reminders=True)
    youth.refresh_from_db()
    return youth


@pytest.fixture
def confirmed(texting_youth, alice, kela):
    with time_machine.travel(at("2026-12-01"), tick=False):
        meeting = f.invited_meeting(
            youth=texting_youth, organiser=alice, kela=kela, starts_at=at("2026-12-03", 10)
        )
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
    Notification.objects.all().delete()
    return meeting


def test_the_meeting_reminder_goes_by_text_message(confirmed, texting_youth, outbox):
    with time_machine.travel(at("2026-12-02"), tick=False):
        notifications.reminders_create()
        notifications.reminders_create()  # a second sweep makes nothing more
        (row,) = Notification.objects.exclude(recipient_phone="")
        assert row.recipient_phone == "+358401234567" and row.kind == Kind.MEETING_TOMORROW
        deliver_all()
        deliver_all("task-2")  # a redelivered task sends nothing more
    (message,) = outbox
    assert message.to == "+358401234567"
    assert texting_youth.first_name in message.body
    assert texting_youth.last_name not in message.body
    assert "3.12.2026" in message.body
    # No e-mail address on the record: no e-mail to the young person.
    assert not any(m.to == [""] for m in mail.outbox)
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT


def test_no_text_message_without_consent(youth, consent, alice, kela, outbox):
    type(youth).objects.filter(pk=youth.pk).update(phone="+358401234567")
    with time_machine.travel(at("2026-12-01"), tick=False):
        meeting = f.invited_meeting(
            youth=youth, organiser=alice, kela=kela, starts_at=at("2026-12-03", 10)
        )
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
    with time_machine.travel(at("2026-12-02"), tick=False):
        notifications.reminders_create()
    assert not Notification.objects.exclude(recipient_phone="").exists()


def test_a_consent_withdrawn_before_sending_stops_it(
    confirmed, texting_youth, consent, alice, outbox
):
    with time_machine.travel(at("2026-12-02"), tick=False):
        notifications.reminders_create()
        case_services.consent_withdraw(consent=consent, by=alice)
        deliver_all()
    assert outbox == []
    row = Notification.objects.get(recipient_phone="+358401234567")
    assert row.status == Notification.Status.SKIPPED


def test_a_changed_number_is_not_texted(confirmed, texting_youth, outbox):
    with time_machine.travel(at("2026-12-02"), tick=False):
        notifications.reminders_create()
        type(texting_youth).objects.filter(pk=texting_youth.pk).update(phone="+358409999999")
        deliver_all()
    assert outbox == []


def test_a_gateway_fault_is_retried(confirmed, texting_youth, settings, monkeypatch):
    settings.SMS_BACKEND = "kelayhteistyo.sms.MemoryBackend"

    def down(self, messages):
        raise sms.SmsError("The SMS gateway answered 503.")

    monkeypatch.setattr(sms.MemoryBackend, "send_messages", down)
    with time_machine.travel(at("2026-12-02"), tick=False):
        notifications.reminders_create()
        row = Notification.objects.get(recipient_phone="+358401234567")
        assert notifications.deliver(row.pk, "task-1") == "retry"
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING
    assert row.last_error == "The SMS gateway answered 503."


def test_the_young_persons_task_due_goes_by_text_message(texting_youth, alice, kela, outbox):
    with time_machine.travel(at("2026-12-01"), tick=False):
        held = f.held_meeting(youth=texting_youth, organiser=alice, kela=kela)
        plan = services.plan_save(meeting=held, fields={"summary": "x"}, version=None, by=alice)
        ActionItem.objects.create(
            plan=plan,
            owner=held.participants.get(kind=Participant.Kind.YOUNG_PERSON),
            what="Hakee asumistukea",
            due_date=datetime.date(2026, 12, 2),
        )
        Notification.objects.all().delete()
        notifications.reminders_create()
        (row,) = Notification.objects.exclude(recipient_phone="")
        assert row.kind == Kind.ITEM_DUE
        deliver_all()
    (message,) = outbox
    assert "Hakee asumistukea" in message.body
