"""The whole network hears what concerns them (issue 17): a network member with an address gets
the invitation and the changes with a calendar file, the reminders and the plain-language plan,
only while the consent's scope covers it and they take part."""

import time_machine
from django.core import mail
from django.urls import reverse

from cases.models import Consent
from meetings import notifications, pdf, services
from meetings.models import ActionItem, Notification
from tests import factories as f
from tests.meetings.test_notifications import RefusingBackend, at, deliver_all, parse_ics

Kind = Notification.Kind
TIINA = {
    "name": "Tiina Tukihenkilö",
    "network_role": "support_person",
    "email": "tiina@example.org",
}


def to_network(consent, *, plan=False):
    Consent.objects.filter(pk=consent.pk).update(scope_network=True, scope_network_plan=plan)


def mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def network_rows():
    return Notification.objects.exclude(participant=None)


class TestInvitation:
    def test_a_member_added_to_a_sent_meeting_gets_the_invitation_with_a_calendar_file(
        self, meeting, alice, consent
    ):
        to_network(consent)
        services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
        deliver_all()
        (message,) = mails_to("tiina@example.org")
        assert "Kutsu yhteiseen tapaamiseen" in message.subject
        assert alice.get_full_name() in message.body and alice.email in message.body
        assert meeting.youth.last_name not in message.body + message.subject
        assert message.reply_to == [alice.email]
        assert "/accounts/" not in message.body  # no login link: they have no account
        event = parse_ics(message).vevent
        assert event.uid.value == f"{meeting.pk}@yhteistyo"

    def test_members_of_a_draft_hear_of_it_when_kela_is_invited(self, youth, alice, kela, consent):
        to_network(consent)
        draft = f.MeetingFactory(youth=youth, organiser=alice)
        services.network_member_add(meeting=draft, by=alice, fields=TIINA)
        assert not network_rows().exists()  # a draft is sent to nobody
        services.meeting_invite(meeting=draft, kela_contact=kela, by=alice)
        deliver_all()
        assert len(mails_to("tiina@example.org")) == 1

    def test_no_address_or_no_consent_scope_no_message(self, meeting, alice, consent, client_as):
        services.network_member_add(meeting=meeting, by=alice, fields=TIINA)  # scope not given
        services.network_member_add(
            meeting=meeting, by=alice, fields={**TIINA, "name": "Ei osoitetta", "email": ""}
        )
        assert not network_rows().exists()
        page = client_as(alice).get(reverse("meetings:detail", args=[meeting.pk]))
        page = page.content.decode()
        assert "suostumus ei kata viestejä verkostolle" in page

    def test_a_new_address_gets_the_invitation_again(self, meeting, alice, consent):
        to_network(consent)
        member = services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
        services.network_member_edit(
            participant=member, by=alice, fields={**TIINA, "email": "tiina@example.com"}
        )
        deliver_all()
        assert len(mails_to("tiina@example.org")) == 0  # the old address: not sent any more
        assert len(mails_to("tiina@example.com")) == 1

    def test_changes_and_cancellation_reach_the_member_with_the_calendar_file(
        self, meeting, alice, kela, consent
    ):
        to_network(consent)
        services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
        deliver_all()
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        deliver_all()
        meeting.refresh_from_db()
        meeting.place = "Kelan toimisto"
        services.meeting_update(meeting=meeting, by=alice)
        deliver_all()
        services.meeting_cancel(meeting=meeting, by=alice, reason="Sairastui")
        deliver_all()
        kinds = [m.subject.split(" – ")[0] for m in mails_to("tiina@example.org")]
        assert kinds == [
            "Kutsu yhteiseen tapaamiseen",
            "Yhteinen tapaaminen vahvistettu",
            "Yhteinen tapaaminen muuttui",
            "Yhteinen tapaaminen peruttu",
        ]
        cancel = parse_ics(mails_to("tiina@example.org")[-1])
        assert cancel.method.value == "CANCEL"


class TestAccessEnds:
    def test_a_removed_member_gets_nothing_not_yet_sent(self, meeting, alice, consent):
        to_network(consent)
        member = services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
        services.network_member_remove(participant=member, by=alice)
        assert deliver_all().count("skipped") == 1
        assert not mails_to("tiina@example.org")
        assert network_rows().get().last_error == "removed from the meeting"
        meeting.refresh_from_db()
        services.meeting_cancel(meeting=meeting, by=alice, reason="Sairastui")
        assert network_rows().count() == 1  # nothing new made for them either

    def test_a_withdrawn_consent_stops_what_was_not_sent(self, meeting, alice, consent):
        to_network(consent)
        services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
        from cases import services as cases

        cases.consent_withdraw(consent=Consent.objects.get(pk=consent.pk), by=alice, note="")
        deliver_all()
        assert not mails_to("tiina@example.org")  # neither the invitation nor the cancellation
        assert set(network_rows().values_list("status", flat=True)) == {"skipped"}


class TestReminders:
    def test_the_meeting_reminder_reaches_members_with_address_and_scope(
        self, youth, alice, kela, consent
    ):
        to_network(consent)
        with time_machine.travel(at("2026-12-01"), tick=False):
            meeting = f.invited_meeting(
                youth=youth, organiser=alice, kela=kela, starts_at=at("2026-12-03", 10)
            )
            services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
            services.network_member_add(
                meeting=meeting, by=alice, fields={**TIINA, "name": "Ei osoitetta", "email": ""}
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
                (None, "tiina@example.org"),
            }
            deliver_all()
        (message,) = mails_to("tiina@example.org")
        assert "Muistutus" in message.body and "Hei" not in message.body  # not the youth's text

    def test_an_item_owned_by_a_member_is_reminded_to_them(self, youth, alice, kela, consent):
        to_network(consent)
        with time_machine.travel(at("2026-12-01"), tick=False):
            meeting = f.invited_meeting(
                youth=youth, organiser=alice, kela=kela, starts_at=at("2026-12-01", 12)
            )
            member = services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
            services.invitation_respond(
                participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
            )
        with time_machine.travel(at("2026-12-01", 14), tick=False):
            meeting.refresh_from_db()
            services.meeting_mark_held(meeting=meeting, by=alice)
            plan = services.plan_save(
                meeting=meeting, fields={"summary": "x"}, version=None, by=alice
            )
            ActionItem.objects.create(
                plan=plan, owner=member, what="Hae asumistukea", due_date=at("2026-12-03").date()
            )
        Notification.objects.all().delete()
        with time_machine.travel(at("2026-12-02"), tick=False):
            notifications.reminders_create()
            (row,) = network_rows()
            assert (row.kind, row.recipient_email) == (Kind.ITEM_DUE, "tiina@example.org")


class TestPlanCopy:
    def held_with_plan(self, youth, alice, kela):
        meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        meeting = services.meeting_mark_held(meeting=f.move_into_past(meeting), by=alice)
        plan = services.plan_save(
            meeting=meeting,
            fields={"summary": "Sovittiin", "review_date": None},
            version=None,
            by=alice,
        )
        Notification.objects.all().delete()
        return plan

    def test_the_plain_copy_goes_to_members_when_the_consent_covers_the_plan(
        self, youth, alice, kela, consent
    ):
        to_network(consent, plan=True)
        plan = self.held_with_plan(youth, alice, kela)
        pdf.plan_export(plan, variant="plain", language="fi", by=alice)
        deliver_all()
        (message,) = mails_to("tiina@example.org")
        (name, content, mimetype) = message.attachments[0]
        assert mimetype == "application/pdf" and content.startswith(b"%PDF")
        assert plan.meeting.youth.last_name not in message.body

    def test_without_the_plan_scope_the_copy_is_not_sent(self, youth, alice, kela, consent):
        to_network(consent, plan=False)
        plan = self.held_with_plan(youth, alice, kela)
        pdf.plan_export(plan, variant="plain", language="fi", by=alice)
        assert not network_rows().exists()


class TestBounce:
    def test_a_refused_address_is_shown_to_the_worker_beside_the_member(
        self, settings, meeting, alice, consent, client_as
    ):
        to_network(consent)
        settings.EMAIL_BACKEND = "tests.meetings.test_notifications.RefusingBackend"
        RefusingBackend.refuse = {"tiina@example.org"}
        member = services.network_member_add(meeting=meeting, by=alice, fields=TIINA)
        results = [notifications.deliver(n.pk, "t") for n in network_rows()]
        assert results == ["failed"]
        member.refresh_from_db()
        assert "tiina@example.org" in member.email_problem
        page = client_as(alice).get(reverse("meetings:detail", args=[meeting.pk]))
        assert member.email_problem in page.content.decode()
