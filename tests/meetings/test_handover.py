"""Hand-over (issue 17): a new responsible worker, or a worker deactivated, moves the open
meetings' organiser, the previous worker's open tasks and the waiting messages to the new
worker; the old worker gets nothing more; Kela and the young person hear who their contact
person now is; another organisation is refused."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Consent, WorkerHandover
from meetings import notifications, services
from meetings.models import ActionItem, ActionItemChange, Notification, Participant
from tests import factories as f

Kind = Notification.Kind


def deliver_waiting() -> dict[int, str]:
    """Deliver every waiting row as the task would; what happened to each."""
    pending = Notification.objects.filter(status=Notification.Status.PENDING)
    return {pk: notifications.deliver(pk, "t") for pk in pending.values_list("pk", flat=True)}


@pytest.fixture
def colleague(alice):
    return f.WorkerFactory(organisation=alice.organisation, first_name="Carol", phone="040 123")


@pytest.fixture
def plan(youth, alice, kela, consent):
    """A held meeting with a plan: one open item of Alice's, one done, one of Kela's."""
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    plan = services.plan_save(
        meeting=held, fields={"summary": "Sovittiin", "review_date": None}, version=None, by=alice
    )
    worker = held.participants.get(user=alice)
    due = timezone.localdate() + datetime.timedelta(days=10)
    services.action_item_add(
        plan=plan, owner=worker, what="Soittaa TE-toimistoon", due_date=due, by=alice
    )
    done = services.action_item_add(
        plan=plan, owner=worker, what="Varaa aika", due_date=due, by=alice
    )
    services.action_item_set_done(item=done, done=True, by=alice)
    services.action_item_add(
        plan=plan, owner=held.participants.get(user=kela), what="Tarkistaa", due_date=due, by=alice
    )
    return plan


def test_an_open_meeting_moves_to_the_new_worker(meeting, youth, alice, colleague, kela):
    Notification.objects.all().delete()
    done = services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    meeting.refresh_from_db()
    youth.refresh_from_db()
    assert youth.responsible_worker == colleague
    assert meeting.organiser == colleague
    workers = meeting.participants.filter(kind=Participant.Kind.AFTERCARE_WORKER)
    assert [p.user for p in workers] == [colleague]  # takes part instead of Alice
    assert meeting.ics_sequence == 1  # the calendars learn the new organiser
    assert done.meetings == [meeting] and done.told == 1
    handover = WorkerHandover.objects.get(youth=youth)
    assert (handover.from_worker, handover.to_worker, handover.recorded_by) == (
        alice,
        colleague,
        alice,
    )


def test_kela_answers_go_to_the_new_worker_not_the_old(meeting, youth, alice, colleague, kela):
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    meeting.refresh_from_db()
    services.invitation_respond(
        participant=meeting.participants.get(user=kela),
        answer="proposed",
        proposed_start=meeting.starts_at + datetime.timedelta(days=1),
        by=kela,
    )
    proposed = Notification.objects.get(kind=Kind.TIME_PROPOSED)
    assert proposed.recipient == colleague
    assert (
        not Notification.objects.filter(recipient=alice)
        .exclude(status="skipped")
        .filter(status="pending")
        .exists()
    )


def test_kela_is_told_the_new_contact_person_with_the_calendar(
    meeting, youth, alice, colleague, kela
):
    mail.outbox.clear()
    Notification.objects.all().delete()
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    told = Notification.objects.get(kind=Kind.CONTACT_CHANGED)
    assert told.recipient == kela and told.meeting == meeting
    assert notifications.deliver(told.pk, "t") == "sent"
    (message,) = mail.outbox
    assert message.to == [kela.email]
    assert colleague.get_full_name() in message.body and colleague.email in message.body
    assert youth.last_name not in message.body
    (name, ics, mimetype), *_ = message.attachments
    assert "method=REQUEST" in mimetype
    assert colleague.email in (ics.decode() if isinstance(ics, bytes) else ics)


@pytest.mark.parametrize("covered", [True, False])
def test_a_network_member_with_an_address_is_told_when_the_consent_covers_it(
    meeting, youth, alice, colleague, consent, covered
):
    Consent.objects.filter(pk=consent.pk).update(scope_network=covered)
    services.network_member_add(
        meeting=meeting,
        by=alice,
        fields={"name": "Tiina", "network_role": "support_person", "email": "tiina@example.org"},
    )
    Notification.objects.all().delete()
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    told = Notification.objects.filter(
        kind=Kind.CONTACT_CHANGED, recipient_email="tiina@example.org"
    )
    assert told.exists() == covered
    if covered:
        mail.outbox.clear()
        assert notifications.deliver(told.get().pk, "t") == "sent"
        (message,) = mail.outbox
        assert message.to == ["tiina@example.org"]
        # The text for the others in the meeting (in Finnish, the meeting's language), not the
        # one for the young person ("Hei Elina! Jälkihuollon työntekijäsi…").
        assert message.body.startswith(f"Nuoren {youth.first_name} jälkihuollon työntekijä")
        assert colleague.get_full_name() in message.body and youth.last_name not in message.body


def test_the_young_person_is_told_when_their_consent_covers_messages(
    meeting, youth, alice, colleague, consent
):
    type(youth).objects.filter(pk=youth.pk).update(email="nuori@example.fi")
    Consent.objects.filter(pk=consent.pk).update(scope_reminders=True)
    youth.refresh_from_db()
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    n = Notification.objects.get(kind=Kind.CONTACT_CHANGED, recipient=None)
    assert n.recipient_email == "nuori@example.fi"
    mail.outbox.clear()
    assert notifications.deliver(n.pk, "t") == "sent"
    assert colleague.get_full_name() in mail.outbox[0].body


def test_the_young_person_without_consent_for_messages_hears_nothing(
    meeting, youth, alice, colleague
):
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    assert not Notification.objects.filter(kind=Kind.CONTACT_CHANGED, recipient=None).exists()


def test_waiting_messages_to_the_old_worker_move_and_nothing_reaches_them(
    meeting, youth, alice, colleague, kela
):
    # Kela answered before the hand-over; the message to Alice has not been sent yet.
    services.invitation_respond(
        participant=meeting.participants.get(user=kela), answer="accepted", by=kela
    )
    waiting = Notification.objects.get(kind=Kind.MEETING_CONFIRMED, recipient=alice)
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    waiting.refresh_from_db()
    assert waiting.recipient == colleague
    mail.outbox.clear()
    deliver_waiting()
    assert alice.email not in [to for m in mail.outbox for to in m.to]
    assert colleague.email in [to for m in mail.outbox for to in m.to]


def test_a_row_made_for_the_old_worker_after_the_hand_over_is_skipped(
    meeting, youth, alice, colleague
):
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    # A sweep that read the data a moment before the hand-over made a row for Alice.
    late = notifications.notify(
        Kind.INVITATION_ANSWERED, recipient=alice, meeting=meeting, key_suffix="late"
    )
    assert notifications.deliver(late.pk, "t") == "skipped"
    late.refresh_from_db()
    assert late.last_error == "handed over to another worker"


def test_a_former_worker_who_still_organises_a_meeting_hears_of_it(
    meeting, youth, alice, colleague
):
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    # Alice books another meeting for the young person afterwards, as a substitute.
    other = f.MeetingFactory(youth=youth, organiser=alice)
    n = notifications.notify(Kind.INVITATION_ANSWERED, recipient=alice, meeting=other)
    assert notifications.deliver(n.pk, "t") == "sent"


def test_held_meeting_items_of_the_old_worker_move_with_history(
    plan, youth, alice, colleague, kela
):
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    meeting = plan.meeting
    meeting.refresh_from_db()
    assert meeting.organiser == colleague
    # Alice took part and stays so; Carol is added as the one who took over.
    assert meeting.participants.filter(user=alice).exists()
    carol = meeting.participants.get(user=colleague)
    assert carol.attendance == Participant.Attendance.TOOK_OVER
    items = {i.what: i for i in plan.items.select_related("owner")}
    assert items["Soittaa TE-toimistoon"].owner == carol  # open: moves
    assert items["Varaa aika"].owner.user == alice  # done: history stays
    assert items["Tarkistaa"].owner.user == kela
    change = ActionItemChange.objects.get(item=items["Soittaa TE-toimistoon"], field="owner")
    assert (
        alice.get_full_name() in change.old_value and colleague.get_full_name() in change.new_value
    )
    assert change.changed_by == alice


def test_item_reminders_go_to_the_new_worker(plan, youth, alice, colleague):
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    item = plan.items.get(what="Soittaa TE-toimistoon")
    ActionItem.objects.filter(pk=item.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    rows = notifications.reminders.action_items_due(timezone.localdate(), timezone.now())
    assert [(r.kind, r.recipient) for r in rows] == [(Kind.ITEM_OVERDUE, colleague)]


def test_ended_and_cancelled_meetings_keep_their_organiser(youth, alice, colleague, kela, consent):
    cancelled = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    services.meeting_cancel(meeting=cancelled, by=alice, reason="Sairastui")
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    cancelled.refresh_from_db()
    assert cancelled.organiser == alice
    assert not Notification.objects.filter(kind=Kind.CONTACT_CHANGED).exists()


def test_a_colleagues_meeting_stays_theirs(youth, alice, colleague, kela, consent):
    third = f.WorkerFactory(organisation=alice.organisation)
    theirs = f.invited_meeting(youth=youth, organiser=third, kela=kela)
    services.youth_hand_over(youth=youth, to_worker=colleague, by=alice)
    theirs.refresh_from_db()
    assert theirs.organiser == third


def test_a_worker_of_another_organisation_is_refused(meeting, youth, alice, bob):
    with pytest.raises(ValidationError) as refused:
        services.youth_hand_over(youth=youth, to_worker=bob, by=alice)
    assert "organisaatio" in str(refused.value.message_dict["to_worker"])
    meeting.refresh_from_db()
    youth.refresh_from_db()
    assert youth.responsible_worker == alice and meeting.organiser == alice
    assert not WorkerHandover.objects.exists()


def test_the_new_worker_is_told(meeting, youth, alice, colleague):
    third = f.WorkerFactory(organisation=alice.organisation)
    services.youth_hand_over(youth=youth, to_worker=colleague, by=third)
    n = Notification.objects.get(kind=Kind.YOUTH_HANDED_OVER)
    assert n.recipient == colleague and n.youth == youth
    assert notifications.link(n) == reverse("cases:detail", args=[youth.pk])
    mail.outbox.clear()
    assert notifications.deliver(n.pk, "t") == "sent"
    assert youth.first_name in mail.outbox[0].body


class TestDeactivation:
    def test_the_workers_young_people_and_meetings_go_to_the_successor(
        self, meeting, youth, alice, colleague, kela
    ):
        admin = f.UserFactory(role="admin", is_staff=True, is_superuser=True)
        services.worker_deactivate(worker=alice, successor=colleague, by=admin)
        alice.refresh_from_db()
        youth.refresh_from_db()
        meeting.refresh_from_db()
        assert not alice.is_active
        assert youth.responsible_worker == colleague and meeting.organiser == colleague
        assert Notification.objects.filter(kind=Kind.CONTACT_CHANGED, recipient=kela).exists()

    def test_a_meeting_of_another_young_person_goes_to_their_worker(
        self, alice, colleague, kela, org_a
    ):
        youth = f.YouthFactory(organisation=org_a, responsible_worker=colleague)
        f.ConsentFactory(youth=youth, recorded_by=colleague)
        substitute = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        services.worker_deactivate(worker=alice, successor=None, by=colleague)
        substitute.refresh_from_db()
        assert substitute.organiser == colleague

    def test_a_successor_is_needed_for_a_worker_with_young_people(self, youth, alice):
        with pytest.raises(ValidationError) as refused:
            services.worker_deactivate(worker=alice, successor=None, by=alice)
        assert "successor" in refused.value.message_dict
        alice.refresh_from_db()
        assert alice.is_active

    def test_the_admin_refuses_a_successor_of_another_organisation(self, client, youth, alice, bob):
        admin = f.UserFactory(role="admin", is_staff=True, is_superuser=True)
        f.log_in(client, admin)
        url = reverse("admin:kelayhteistyo_user_change", args=[alice.pk])
        page = client.get(url)
        assert page.status_code == 200
        data = {
            "email": alice.email,
            "first_name": alice.first_name,
            "last_name": alice.last_name,
            "role": alice.role,
            "organisation": alice.organisation_id,
            "preferred_language": "fi",
            "successor": bob.pk,
            "date_joined_0": "1.1.2026",
            "date_joined_1": "10:00",
        }
        response = client.post(url, data)
        assert response.status_code == 200
        assert "organisaatio" in str(response.context["adminform"].form.errors["successor"])
        alice.refresh_from_db()
        assert alice.is_active

    def test_the_admin_hands_over_when_deactivating(self, client, youth, alice, colleague):
        admin = f.UserFactory(role="admin", is_staff=True, is_superuser=True)
        f.log_in(client, admin)
        url = reverse("admin:kelayhteistyo_user_change", args=[alice.pk])
        data = {
            "email": alice.email,
            "first_name": alice.first_name,
            "last_name": alice.last_name,
            "role": alice.role,
            "organisation": alice.organisation_id,
            "preferred_language": "fi",
            "successor": colleague.pk,
            "date_joined_0": "1.1.2026",
            "date_joined_1": "10:00",
        }
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        alice.refresh_from_db()
        youth.refresh_from_db()
        assert not alice.is_active and youth.responsible_worker == colleague


class TestPage:
    def test_the_page_says_what_moves_and_who_is_told(self, client_as, meeting, youth, alice, kela):
        colleague = f.WorkerFactory(organisation=alice.organisation)
        response = client_as(alice).get(reverse("cases:handover", args=[youth.pk]))
        assert response.status_code == 200
        assert response.context["moving"] == [meeting]
        assert list(response.context["kela"]) == [kela]
        assert colleague in response.context["form"].fields["to_worker"].queryset

    def test_handing_over_shows_on_the_record(self, client_as, meeting, youth, alice):
        colleague = f.WorkerFactory(organisation=alice.organisation, first_name="Carol")
        client = client_as(alice)
        response = client.post(
            reverse("cases:handover", args=[youth.pk]), {"to_worker": colleague.pk}, follow=True
        )
        page = response.content.decode()
        assert "Carol" in page
        youth.refresh_from_db()
        assert youth.responsible_worker == colleague
        (row,) = response.context["handovers"]
        assert row.from_worker == alice and row.to_worker == colleague

    def test_another_organisation_is_refused_next_to_the_field(self, client_as, youth, alice, bob):
        response = client_as(alice).post(
            reverse("cases:handover", args=[youth.pk]), {"to_worker": bob.pk}
        )
        assert response.status_code == 200
        assert "organisaatio" in str(response.context["form"].errors["to_worker"])
        youth.refresh_from_db()
        assert youth.responsible_worker == alice

    def test_the_edit_form_no_longer_changes_the_worker(self, client_as, youth, alice):
        response = client_as(alice).get(reverse("cases:edit", args=[youth.pk]))
        assert "responsible_worker" not in response.context["form"].fields
