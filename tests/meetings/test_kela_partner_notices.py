"""Kela as a partner (issue 18), the messages: a new cooperation request to the unit's workers
and its answer to Kela; a special-service referral to Kela and Kela's steps to the referring
worker; the reminder of an unassessed referral after REFERRAL_ASSESSMENT_WORKDAYS working days
(once per step, never after the consent ended); and a booking that answers a request."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Consent, CooperationRequest
from meetings import notifications, services
from meetings.models import JointMeeting, Notification
from meetings.notifications.kinds import KINDS, not_needed
from tests import factories as f

Kind = Notification.Kind
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def at(day: str, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HELSINKI)


def deliver(kind) -> list[str]:
    return [notifications.deliver(n.pk, "t") for n in Notification.objects.filter(kind=kind)]


def rows(kind) -> list[tuple]:
    return sorted(
        (n.recipient_id, n.key.rsplit(":", 1)[-1]) for n in Notification.objects.filter(kind=kind)
    )


@pytest.fixture
def coop(kela, alice):
    return f.cooperation_request(kela=kela, organisation=alice.organisation)


# Cooperation requests ------------------------------------------------------------------------


def test_a_new_request_is_mailed_to_the_units_workers_without_its_personal_data(kela, alice, bob):
    colleague = f.WorkerFactory(organisation=alice.organisation, first_name="Cecilia")
    f.WorkerFactory(organisation=alice.organisation, is_active=False)
    coop = f.cooperation_request(kela=kela, organisation=alice.organisation)
    assert rows(Kind.REQUEST_RECEIVED) == sorted([(alice.pk, "sent"), (colleague.pk, "sent")])
    assert deliver(Kind.REQUEST_RECEIVED) == ["sent", "sent"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, colleague.email])
    message = mail.outbox[0]
    body = message.body + message.subject + message.alternatives[0][0]
    assert reverse("requests:detail", args=[coop.pk]) in message.body
    for personal in (coop.first_name, coop.last_name, coop.noticed, coop.contact_agreed):
        assert personal not in body


def test_a_worker_may_turn_the_new_request_message_off(kela, alice):
    alice.muted_reminders = [Kind.REQUEST_RECEIVED]
    alice.save()
    f.cooperation_request(kela=kela, organisation=alice.organisation)
    assert deliver(Kind.REQUEST_RECEIVED) == ["skipped"]
    assert Kind.REQUEST_RECEIVED in KINDS and KINDS[Kind.REQUEST_RECEIVED].mutable


def test_a_new_request_taken_before_it_was_sent_is_not_mailed(alice, coop):
    case_services.cooperation_request_take(request=coop, by=alice)
    assert deliver(Kind.REQUEST_RECEIVED) == ["skipped"]


def test_kela_hears_each_answer_and_the_reason_stays_on_the_page(kela, alice, coop):
    case_services.cooperation_request_take(request=coop, by=alice)
    case_services.cooperation_request_decline(
        request=coop, by=alice, reason="Nuori ei ole jälkihuollon asiakas"
    )
    assert rows(Kind.REQUEST_ANSWERED) == sorted([(kela.pk, "taken"), (kela.pk, "declined")])
    n = Notification.objects.get(kind=Kind.REQUEST_ANSWERED, key__endswith=":declined")
    with time_machine.travel(timezone.now()):
        subject, text = notifications.text(n)
    assert "hylkäsi" in text and coop.first_name in text and coop.last_name not in text
    assert deliver(Kind.REQUEST_ANSWERED) == ["sent", "sent"]
    assert {m.to[0] for m in mail.outbox} == {kela.email}
    assert not any("jälkihuollon asiakas" in m.body for m in mail.outbox)
    assert notifications.link(n) == reverse("requests:detail", args=[coop.pk])


def _slot(kela, day="2026-12-08"):
    (slot,) = services.slots_publish(
        contact=kela,
        starts_on=datetime.date.fromisoformat(day),
        repeat_until=None,
        start_time=datetime.time(9),
        end_time=datetime.time(10),
        length=60,
        modality="video",
    )
    return slot


def _book_slot(slot, youth, alice, **kwargs):
    meeting = JointMeeting(
        youth=youth, goal="Opintotuki", language=youth.language, modality="video"
    )
    return services.slot_book(
        slot=slot, meeting=meeting, by=alice, others=[], joins={"young_person": "video"}, **kwargs
    )


@time_machine.travel(at("2026-12-01", 8), tick=True)
def test_booking_a_free_time_for_the_request_marks_it_booked(kela, alice, youth, consent, coop):
    case_services.cooperation_request_take(request=coop, by=alice)
    case_services.cooperation_request_link(request=coop, youth=youth, by=alice)
    meeting = _book_slot(_slot(kela), youth, alice, cooperation_request=coop)
    coop.refresh_from_db()
    assert (coop.status, coop.answered_by) == (CooperationRequest.Status.BOOKED, alice)
    assert meeting.cooperation_request == coop
    assert (kela.pk, "booked") in rows(Kind.REQUEST_ANSWERED)


@time_machine.travel(at("2026-12-01", 8), tick=True)
def test_the_booking_page_books_a_free_time_for_the_request(
    client_as, kela, alice, youth, consent, coop
):
    case_services.cooperation_request_take(request=coop, by=alice)
    case_services.cooperation_request_link(request=coop, youth=youth, by=alice)
    slot = _slot(kela)
    response = client_as(alice).post(
        reverse("meetings:create", args=[youth.pk]),
        {
            "action": "book",
            "slot": slot.pk,
            "cooperation_request": str(coop.pk),
            "goal": "Opintotuki",
            "language": youth.language_id,
            "modality": "video",
            "others-TOTAL_FORMS": "0",
            "others-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    coop.refresh_from_db()
    assert coop.status == CooperationRequest.Status.BOOKED
    kela_page = client_as(kela).get(reverse("requests:detail", args=[coop.pk]))
    assert "Yhteinen tapaaminen varattu" in kela_page.content.decode()


@time_machine.travel(at("2026-12-01", 8), tick=True)
def test_a_meeting_booked_from_the_record_answers_the_workers_open_request(
    kela, alice, youth, consent, coop
):
    case_services.cooperation_request_take(request=coop, by=alice)
    case_services.cooperation_request_link(request=coop, youth=youth, by=alice)
    other = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
    f.ConsentFactory(youth=other, recorded_by=alice)
    # A meeting of another young person answers nothing.
    services.meeting_create(
        meeting=f.MeetingFactory.build(youth=other, organiser=alice),
        by=alice,
        kela_contact=kela,
        others=[],
        invite=True,
    )
    coop.refresh_from_db()
    assert coop.status == CooperationRequest.Status.TAKEN
    meeting = _book_slot(_slot(kela), youth, alice)  # no ?cooperation_request=
    coop.refresh_from_db()
    assert coop.status == CooperationRequest.Status.BOOKED
    assert meeting.cooperation_request == coop


# Special-service referrals -------------------------------------------------------------------


@pytest.fixture
def special_consent(youth, alice):
    consent = f.ConsentFactory(youth=youth, recorded_by=alice, scope_kela_special_service=True)
    Consent.objects.filter(pk=consent.pk).update(given_at=at("2026-10-01"))
    return consent


def refer(youth, alice, day="2026-12-07", **kw):  # Monday
    with time_machine.travel(at(day), tick=False):
        return f.special_referral(youth=youth, worker=alice, **kw)


def test_a_referral_goes_to_kela_of_the_county_and_its_steps_to_the_worker(
    alice, kela, kela_other, youth, special_consent
):
    kela_other.kela_profile.areas.set([f.county("kanta-hame")])
    referral = refer(youth, alice)
    assert rows(Kind.REFERRAL_RECEIVED) == [(kela.pk, "referred")]
    case_services.special_referral_take(referral=referral, by=kela)
    n = Notification.objects.get(kind=Kind.REFERRAL_RECEIVED)
    assert not_needed(n) == "moved on"  # taken before it was sent: not sent
    case_services.special_referral_assess(
        referral=referral,
        by=kela,
        assessment={"outcome": "not_accepted", "outcome_reason": "Ei tarvetta nyt"},
    )
    assert rows(Kind.REFERRAL_STEP) == sorted([(alice.pk, "taken"), (alice.pk, "assessed")])
    assert deliver(Kind.REFERRAL_STEP) == ["sent", "sent"]
    assert {m.to[0] for m in mail.outbox} == {alice.email}
    body = "".join(m.body for m in mail.outbox)
    assert youth.first_name in body and youth.last_name not in body
    assert "Ei tarvetta nyt" not in body
    assert reverse("special_service:detail", args=[referral.pk]) in body


def test_a_named_contact_alone_hears_of_the_referral(
    alice, kela, kela_other, youth, special_consent
):
    refer(youth, alice, named_contact=kela_other)
    assert rows(Kind.REFERRAL_RECEIVED) == [(kela_other.pk, "referred")]


def sweep(day: str) -> list[tuple]:
    """One sweep of reminders on `day`: the referral reminders it created."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with time_machine.travel(at(day, 10), tick=False):
        notifications.reminders_create()
    new = Notification.objects.filter(
        kind__in=[Kind.REFERRAL_UNASSESSED, Kind.REFERRAL_WAITING]
    ).exclude(pk__in=before)
    return sorted((n.kind, n.recipient_id, n.key.rsplit(":", 1)[-1]) for n in new)


def test_an_unassessed_referral_is_reminded_once_per_step_after_working_days(
    alice, kela, youth, special_consent
):
    referral = refer(youth, alice, day="2026-12-03")  # Thursday; 6.12. is Independence Day
    # Working days after: 4.12., 7.12., 8.12., 9.12., 10.12. (the fifth).
    for day in ("2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09"):
        assert sweep(day) == []
    expected = [
        (Kind.REFERRAL_UNASSESSED, kela.pk, "referred"),
        (Kind.REFERRAL_WAITING, alice.pk, "referred"),
    ]
    assert sweep("2026-12-10") == sorted(expected)
    assert sweep("2026-12-10") == [] and sweep("2026-12-11") == []  # once
    with time_machine.travel(at("2026-12-14"), tick=False):
        case_services.special_referral_take(referral=referral, by=kela)
    assert sweep("2026-12-18") == []
    assert sweep("2026-12-21") == sorted(
        [
            (Kind.REFERRAL_UNASSESSED, kela.pk, "taken"),
            (Kind.REFERRAL_WAITING, alice.pk, "taken"),
        ]
    )
    n = Notification.objects.get(kind=Kind.REFERRAL_UNASSESSED, key__endswith=":taken")
    with time_machine.travel(at("2026-12-21", 11), tick=False):
        assert not_needed(n) == ""
        subject, text = notifications.text(n)
    assert youth.first_name in text and youth.last_name not in text
    assert notifications.link(n) == reverse("special_service:detail", args=[referral.pk])
    assert Kind.REFERRAL_UNASSESSED in KINDS and KINDS[Kind.REFERRAL_UNASSESSED].reminder


def test_the_number_of_working_days_is_a_setting(settings, alice, kela, youth, special_consent):
    settings.REFERRAL_ASSESSMENT_WORKDAYS = 2
    refer(youth, alice, day="2026-12-07")
    assert sweep("2026-12-08") == []
    assert len(sweep("2026-12-09")) == 2


def test_every_contact_of_the_county_is_reminded_while_nobody_is_named(
    alice, kela, kela_other, youth, special_consent
):
    refer(youth, alice, day="2026-12-07")
    kela_other.kela_profile.areas.set([f.county("kanta-hame")])
    third = f.KelaContactFactory(first_name="Tiina")
    got = sweep("2026-12-14")
    assert {(k, r) for k, r, _ in got} == {
        (Kind.REFERRAL_UNASSESSED, kela.pk),
        (Kind.REFERRAL_UNASSESSED, third.pk),
        (Kind.REFERRAL_WAITING, alice.pk),
    }


def test_no_reminder_once_the_consent_is_withdrawn(alice, kela, youth, special_consent):
    refer(youth, alice, day="2026-12-07")
    assert len(sweep("2026-12-14")) == 2
    (n, *_) = Notification.objects.filter(kind=Kind.REFERRAL_UNASSESSED)
    with time_machine.travel(at("2026-12-14", 11), tick=False):
        case_services.consent_withdraw(consent=special_consent, by=alice)
        assert not_needed(n) == "no access any more (consent)"
        assert deliver(Kind.REFERRAL_UNASSESSED) == ["skipped"]
    # Taken on another day with a new consent? Not without it: nothing more, ever.
    assert sweep("2026-12-21") == []


def test_an_assessed_or_ended_referral_is_not_reminded(alice, kela, youth, special_consent):
    referral = refer(youth, alice, day="2026-12-07")
    with time_machine.travel(at("2026-12-08"), tick=False):
        case_services.special_referral_take(referral=referral, by=kela)
        case_services.special_referral_assess(
            referral=referral,
            by=kela,
            assessment={"outcome": "other_service", "outcome_reason": "TE-palvelut"},
        )
    assert sweep("2026-12-21") == []


def test_the_notification_list_hides_a_referral_once_the_consent_ended(
    client_as, alice, kela, youth, special_consent
):
    referral = refer(youth, alice, day="2026-12-07")
    case_services.special_referral_take(referral=referral, by=kela)
    page = client_as(alice).get(reverse("notifications")).content.decode()
    assert youth.first_name in page
    case_services.consent_withdraw(consent=special_consent, by=alice)
    page = client_as(alice).get(reverse("notifications")).content.decode()
    assert youth.first_name not in page


def test_the_list_of_request_and_referral_notices_takes_constant_queries(
    client_as, kela, alice, django_assert_num_queries
):
    """Kela's list with answers to its requests and new referrals: one set of queries for
    the page, however many rows."""

    def more(n):
        for _ in range(n):
            coop = f.cooperation_request(kela=kela, organisation=alice.organisation)
            case_services.cooperation_request_take(request=coop, by=alice)
            youth = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
            f.ConsentFactory(youth=youth, recorded_by=alice, scope_kela_special_service=True)
            f.special_referral(youth=youth, worker=alice)

    client = client_as(kela)
    more(1)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(reverse("notifications")).context["rows"]) == 2
    more(6)
    with django_assert_num_queries(len(one)):
        page = client.get(reverse("notifications"))
    assert len(page.context["rows"]) == 14
    assert all(row["url"] for row in page.context["rows"])


def test_each_role_is_offered_its_own_new_kinds_to_turn_off(client_as, alice, kela):
    def offered(user):
        form = client_as(user).get(reverse("notification_settings")).context["form"]
        return {k for k, _label in form.fields["wanted"].choices}

    worker = offered(alice)
    assert {Kind.REQUEST_RECEIVED, Kind.REFERRAL_WAITING} <= worker
    assert Kind.REFERRAL_UNASSESSED not in worker
    assert Kind.REFERRAL_UNASSESSED in offered(kela)
