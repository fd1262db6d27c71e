"""E-mails, calendar files, in-app notifications and reminders (issue 3), without a worker:
`deliver` is called as the task would call it. The real worker is in tests/integration."""

import datetime
import smtplib
import zoneinfo

import pytest
import time_machine
import vobject
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from meetings import notifications, services
from meetings.models import ActionItem, JointMeeting, Notification
from meetings.notifications import delivery
from tests import factories as f

Kind = Notification.Kind
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def deliver_all(task_id="task-1"):
    return [
        notifications.deliver(pk, task_id)
        for pk in Notification.objects.values_list("pk", flat=True)
    ]


def at(day: str, hour=9):
    """A moment in Helsinki time, for time_machine."""
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HELSINKI)


def parse_ics(message):
    (name, content, mimetype), *_ = message.attachments
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    return vobject.readOne(content.decode() if isinstance(content, bytes) else content)


class TestEvents:
    def test_an_invitation_is_mailed_to_the_kela_contact_in_their_language(self, meeting, kela):
        kela.preferred_language = "sv"
        kela.save()
        n = Notification.objects.get(kind=Kind.INVITATION)
        n.language = "sv"
        n.save()
        assert n.recipient == kela
        assert deliver_all() == ["sent"]
        (message,) = mail.outbox
        assert message.to == [kela.email]
        assert "Inbjudan" in message.subject
        assert meeting.youth.first_name in message.body
        assert meeting.youth.last_name not in message.body + message.subject
        assert reverse("meetings:detail", args=[meeting.pk]) in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html" and meeting.youth.first_name in html

    def test_an_answer_goes_to_the_organiser(self, meeting, alice, kela):
        participant = f.kela_participant(meeting, kela)
        services.invitation_respond(
            participant=participant, answer="declined", by=kela, message="Lomalla"
        )
        assert Notification.objects.get(kind=Kind.INVITATION_ANSWERED).recipient == alice

    def test_a_proposal_goes_to_the_organiser(self, meeting, alice, kela):
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela),
            answer="proposed",
            by=kela,
            proposed_start=meeting.starts_at + datetime.timedelta(days=1),
        )
        assert Notification.objects.get(kind=Kind.TIME_PROPOSED).recipient == alice

    def test_confirmation_carries_a_calendar_request_and_cancellation_a_cancel(
        self, meeting, alice, kela
    ):
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        confirmed = Notification.objects.filter(kind=Kind.MEETING_CONFIRMED)
        assert {n.recipient for n in confirmed} == {alice, kela}
        for n in confirmed:
            notifications.deliver(n.pk, "t")
        event = parse_ics(mail.outbox[0])
        assert event.method.value == "REQUEST" and event.vevent.status.value == "CONFIRMED"
        uid, first_sequence = event.vevent.uid.value, int(event.vevent.sequence.value)
        assert uid == f"{meeting.pk}@yhteistyo"
        start = event.vevent.dtstart.value
        assert start.tzinfo is not None and start == meeting.starts_at
        assert str(start.tzinfo).endswith("Helsinki") or start.utcoffset() in (
            datetime.timedelta(hours=2),
            datetime.timedelta(hours=3),
        )

        mail.outbox.clear()
        meeting.refresh_from_db()
        services.meeting_cancel(meeting=meeting, by=alice, reason="Nuori sairastui")
        (cancelled,) = Notification.objects.filter(kind=Kind.MEETING_CANCELLED)
        assert cancelled.recipient == kela  # not the one who cancelled
        notifications.deliver(cancelled.pk, "t")
        event = parse_ics(mail.outbox[0])
        assert event.method.value == "CANCEL"
        assert event.vevent.uid.value == uid
        assert int(event.vevent.sequence.value) > first_sequence

    def test_moving_a_meeting_sends_a_new_sequence(self, meeting, alice, kela):
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        meeting.refresh_from_db()
        before = meeting.ics_sequence
        meeting.starts_at += datetime.timedelta(hours=2)
        services.meeting_update(meeting=meeting, by=alice)
        (changed,) = Notification.objects.filter(kind=Kind.MEETING_CHANGED)
        assert changed.recipient == kela
        notifications.deliver(changed.pk, "t")
        assert int(parse_ics(mail.outbox[0]).vevent.sequence.value) == before + 1

    def test_a_rolled_back_change_creates_and_sends_nothing(
        self, youth, alice, kela, consent, django_capture_on_commit_callbacks
    ):
        with (
            django_capture_on_commit_callbacks() as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            f.invited_meeting(youth=youth, organiser=alice, kela=kela)
            raise RuntimeError("the save failed")
        assert not Notification.objects.exists()
        assert not callbacks

    def test_a_row_is_sent_once_whoever_delivers_it_and_how_often(self, meeting):
        (n,) = Notification.objects.all()
        assert notifications.deliver(n.pk, "task-1") == "sent"
        assert notifications.deliver(n.pk, "task-1") == "not claimed"  # the same task again
        assert notifications.deliver(n.pk, "task-2") == "not claimed"  # a second sweep's task
        assert len(mail.outbox) == 1


class TestReminders:
    def test_working_days_skip_weekends_and_finnish_holidays(self):
        assert not notifications.is_working_day(datetime.date(2026, 12, 24))  # Christmas Eve
        assert not notifications.is_working_day(datetime.date(2026, 12, 6))  # Independence Day
        assert notifications.add_working_days(datetime.date(2026, 12, 23), 1) == datetime.date(
            2026, 12, 28
        )

    def test_an_unanswered_invitation_is_reminded_after_two_working_days(
        self, youth, alice, kela, consent
    ):
        with time_machine.travel(at("2026-12-23"), tick=False):
            meeting = f.invited_meeting(
                youth=youth, organiser=alice, kela=kela, starts_at=at("2027-01-20")
            )
        Notification.objects.all().delete()
        for day in ("2026-12-24", "2026-12-27", "2026-12-28"):  # holidays, Sunday, 1st day
            with time_machine.travel(at(day), tick=False):
                notifications.reminders_create()
        assert not Notification.objects.exists()
        with time_machine.travel(at("2026-12-29"), tick=False):
            notifications.reminders_create()
            notifications.reminders_create()  # a second sweep creates nothing more
        rows = {(n.kind, n.recipient) for n in Notification.objects.all()}
        assert rows == {(Kind.INVITATION_UNANSWERED, alice), (Kind.INVITATION_NUDGE, kela)}
        assert all(n.meeting == meeting for n in Notification.objects.all())

    def test_nothing_is_reminded_on_a_holiday(self, meeting):
        with time_machine.travel(at("2026-12-25"), tick=False):
            assert notifications.reminders_create() == 0

    def test_a_meeting_tomorrow_reminds_everyone_and_the_young_person_with_consent(
        self, youth, alice, kela, consent
    ):
        youth.email = "nuori@example.fi"
        youth.save()
        consent.scope_reminders = True
        consent.save()
        with time_machine.travel(at("2026-12-01"), tick=False):
            meeting = f.invited_meeting(
                youth=youth, organiser=alice, kela=kela, starts_at=at("2026-12-03", 10)
            )
            services.invitation_respond(
                participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
            )
        Notification.objects.all().delete()
        with time_machine.travel(at("2026-12-02"), tick=False):
            notifications.reminders_create()
            assert set(Notification.objects.values_list("recipient", "recipient_email")) == {
                (alice.pk, ""),
                (kela.pk, ""),
                (None, "nuori@example.fi"),
            }
            deliver_all()
        to_youth = next(m for m in mail.outbox if m.to == ["nuori@example.fi"])
        assert youth.first_name in to_youth.body and youth.last_name not in to_youth.body

    def test_a_young_person_without_consent_for_reminders_gets_none(
        self, youth, alice, kela, consent
    ):
        youth.email = "nuori@example.fi"
        youth.save()
        with time_machine.travel(at("2026-12-01"), tick=False):
            meeting = f.invited_meeting(
                youth=youth, organiser=alice, kela=kela, starts_at=at("2026-12-03", 10)
            )
            services.invitation_respond(
                participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
            )
        with time_machine.travel(at("2026-12-02"), tick=False):
            notifications.reminders_create()
        assert not Notification.objects.filter(recipient_email="nuori@example.fi").exists()

    def test_a_task_done_in_the_meantime_is_not_reminded(self, youth, alice, kela, consent):
        with time_machine.travel(at("2026-12-01"), tick=False):  # a Tuesday
            held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
            plan = services.plan_save(meeting=held, fields={"summary": "x"}, version=None, by=alice)
            item = ActionItem.objects.create(
                plan=plan,
                owner=f.kela_participant(held, kela),
                what="Soittaa",
                due_date=datetime.date(2026, 12, 2),
            )
            Notification.objects.all().delete()
            notifications.reminders_create()
            (n,) = Notification.objects.filter(kind=Kind.ITEM_DUE)
            assert n.recipient == kela
            services.action_item_set_done(item=item, done=True, by=kela)
            assert notifications.deliver(n.pk, "t") == "skipped"
        assert not mail.outbox

    def test_a_review_and_an_expiring_consent_remind_the_worker(self, youth, alice, kela, consent):
        type(consent).objects.filter(pk=consent.pk).update(
            given_at=at("2026-11-01"), valid_until=datetime.date(2026, 12, 4)
        )
        with time_machine.travel(at("2026-11-16"), tick=False):
            held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
            services.plan_save(
                meeting=held,
                fields={
                    "summary": "x",
                    "review_date": datetime.date(2026, 11, 25),
                    "kela_cooperation": "yes",
                },
                version=None,
                by=alice,
            )
        Notification.objects.all().delete()
        with time_machine.travel(at("2026-11-20"), tick=False):  # Friday: 3 working days ahead
            notifications.reminders_create()
        kinds = set(Notification.objects.values_list("kind", "recipient"))
        assert (Kind.REVIEW_DUE, alice.pk) in kinds
        assert (Kind.REVIEW_DUE, kela.pk) in kinds  # cooperation with Kela continues
        assert (Kind.CONSENT_EXPIRING, alice.pk) in kinds

    def test_a_reminder_turned_off_is_not_sent_but_invitations_always_are(self, meeting, kela):
        kela.muted_reminders = [Kind.INVITATION_NUDGE, Kind.MEETING_TOMORROW]
        kela.save()
        assert deliver_all() == ["sent"]  # the invitation itself cannot be turned off


class TestFaults:
    def test_a_refused_address_is_reported_and_does_not_block_others(
        self, settings, meeting, alice, kela
    ):
        settings.EMAIL_BACKEND = "tests.meetings.test_notifications.RefusingBackend"
        RefusingBackend.refuse = {kela.email}
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        confirmed = Notification.objects.filter(kind=Kind.MEETING_CONFIRMED)
        results = {n.recipient: notifications.deliver(n.pk, "t") for n in confirmed}
        assert results[kela] == "failed" and results[alice] == "sent"
        kela.refresh_from_db()
        assert kela.email in kela.email_problem
        (failed,) = confirmed.filter(status="failed")
        assert "refused" in failed.last_error

    def test_an_smtp_failure_is_retried_with_backoff_then_marked_failed(self, settings, meeting):
        settings.EMAIL_BACKEND = "tests.meetings.test_notifications.BrokenBackend"
        (n,) = Notification.objects.all()
        now = timezone.now()
        for attempt in range(1, notifications.MAX_ATTEMPTS):
            with time_machine.travel(now, tick=False):
                assert notifications.deliver(n.pk, f"t{attempt}") == "retry"
            n.refresh_from_db()
            assert n.status == "pending" and n.next_attempt_at > now
            now = n.next_attempt_at + datetime.timedelta(seconds=1)
        with time_machine.travel(now, tick=False):
            assert notifications.deliver(n.pk, "last") == "failed"
        n.refresh_from_db()
        assert n.status == "failed" and "SMTP" in n.last_error

    def test_a_broken_message_does_not_stop_the_others(self, monkeypatch, meeting, alice, kela):
        f.invited_meeting(youth=meeting.youth, organiser=alice, kela=kela)
        broken = Notification.objects.get(meeting=meeting)
        real_render = notifications.render

        def render(n):
            if n.pk == broken.pk:
                raise ValueError("template error")
            return real_render(n)

        monkeypatch.setattr(delivery, "render", render)
        assert sorted(deliver_all()) == ["failed", "sent"]

    def test_a_broker_that_is_down_does_not_stop_saving(
        self, settings, youth, alice, kela, consent, django_capture_on_commit_callbacks
    ):
        from tests.celery_broker import use_broker

        with use_broker("redis://127.0.0.1:1/0"):  # nobody listens there
            with django_capture_on_commit_callbacks(execute=True):
                meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
            delivery._publisher.submit(lambda: None).result()  # the publish was tried
        n = Notification.objects.get(meeting=meeting)
        assert n.status == "pending"  # waits for the sweep
        assert notifications.sweep() == [n.pk]


class RefusingBackend(EmailBackend):
    refuse: set = set()

    def send_messages(self, messages):
        for m in messages:
            if set(m.to) & self.refuse:
                raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"no such user")})
        return super().send_messages(messages)


class BrokenBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("SMTP server went away")


class TestPages:
    def test_the_bell_counts_unread_and_the_list_marks_them_read(self, client_as, meeting, kela):
        client = client_as(kela)
        assert client.get("/").context["unread_notifications"] == 1
        page = client.get(reverse("notifications"))
        (row,) = page.context["rows"]
        assert meeting.youth.first_name in row["body"]
        # The button says what it does ("Avaa", open it), not a status ("Avoin", open).
        # Each button also names its notification for a screen reader's list of buttons, with
        # no space before the colon (issue 22.6): "Avaa: Uusi kutsu".
        html = page.content.decode()
        assert f'aria-label="Avaa: {row["subject"]}">Avaa</button>' in html
        assert f'aria-label="Merkitse luetuksi: {row["subject"]}">Merkitse luetuksi<' in html
        assert 'visually-hidden">:' not in html
        response = client.post(reverse("notification_read", args=[row["n"].pk]), {"open": "1"})
        assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
        assert client.get("/").context["unread_notifications"] == 0

    def test_mark_all_read(self, client_as, meeting, kela):
        client = client_as(kela)
        client.post(reverse("notifications_read_all"))
        assert not Notification.objects.filter(read_at=None).exists()

    def test_reminders_can_be_turned_off_but_not_invitations(self, client_as, alice):
        client = client_as(alice)
        form = client.get(reverse("notification_settings")).context["form"]
        choices = [k for k, _label in form.fields["wanted"].choices]
        assert Kind.INVITATION not in choices and Kind.MEETING_TOMORROW in choices
        wanted = [k for k in choices if k != Kind.ITEM_OVERDUE]
        client.post(reverse("notification_settings"), {"wanted": wanted})
        alice.refresh_from_db()
        assert alice.muted_reminders == [Kind.ITEM_OVERDUE]

    def test_only_the_reminders_of_the_users_role_are_offered(self, client_as, kela, coordinator):
        form = client_as(kela).get(reverse("notification_settings")).context["form"]
        offered = {k for k, _label in form.fields["wanted"].choices}
        assert Kind.MEETING_TOMORROW in offered and Kind.REVIEW_DUE in offered
        assert Kind.CONSENT_EXPIRING not in offered  # consents are the worker's
        assert Kind.INVITATION_UNANSWERED not in offered  # sent to the organiser
        page = client_as(coordinator).get(reverse("notification_settings"))
        assert page.context["form"] is None
        assert "Palvelu ei lähetä sinulle muistutuksia." in page.content.decode()

    def test_the_meeting_page_offers_a_calendar_file(self, client_as, meeting, kela):
        client = client_as(kela)
        assert (
            reverse("meetings:ics", args=[meeting.pk])
            in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        )
        response = client.get(reverse("meetings:ics", args=[meeting.pk]))
        event = vobject.readOne(response.content.decode())
        assert event.vevent.uid.value == f"{meeting.pk}@yhteistyo"
        assert event.vevent.summary.value.endswith(meeting.youth.first_name)
        # Kela has not answered yet: the calendar holds the time, but does not promise it.
        assert meeting.status == "invited" and event.vevent.status.value == "TENTATIVE"

    def test_the_email_problem_is_shown_to_the_user(self, client_as, kela):
        kela.email_problem = "E-mail to x was refused."
        kela.save()
        page = client_as(kela).get(reverse("notification_settings")).content.decode()
        assert "E-mail to x was refused." in page


def test_cancelled_meeting_reminders_are_skipped(meeting, alice):
    services.meeting_cancel(meeting=meeting, by=alice, reason="x")
    invitation = Notification.objects.get(kind=Kind.INVITATION)
    assert notifications.deliver(invitation.pk, "t") == "skipped"
    assert JointMeeting.objects.get(pk=meeting.pk).status == "cancelled"


def test_the_beat_schedule_runs_the_sweep_every_few_minutes():
    from kelayhteistyo.celery import app

    entry = app.conf.beat_schedule["sweep-notifications"]
    assert entry["task"] == "meetings.tasks.sweep_notifications"
    assert entry["schedule"] <= 5 * 60


def test_send_due_reminders_runs_one_sweep_synchronously(meeting, kela):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    assert "1 sent" in out.getvalue()
    assert mail.outbox[0].to == [kela.email]


def test_the_invitation_email_holds_the_time_in_the_invitees_calendar(meeting, kela):
    """Issue 22.3 and 22.7: the invitation carries a REQUEST naming the invitee as an attendee
    who is still to answer, the meeting tentative; the attachment names its charset once."""
    n = Notification.objects.get(kind=Kind.INVITATION, recipient=kela)
    notifications.deliver(n.pk, "t")
    (message,) = mail.outbox
    event = parse_ics(message)
    assert event.method.value == "REQUEST" and event.vevent.status.value == "TENTATIVE"
    assert event.vevent.uid.value == f"{meeting.pk}@yhteistyo"
    (invitee,) = [a for a in event.vevent.attendee_list if kela.email in a.value]
    assert invitee.params["PARTSTAT"] == ["NEEDS-ACTION"]
    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    assert part["Content-Type"].lower().count("charset") == 1
