"""Meetings as they really happen (issue 17): how each participant joins (a "mixed" meeting),
"Kela took part" without answering in the app, a meeting recorded afterwards, and Kela saying
it did not take part."""

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from feedback.models import SurveyLink
from kelayhteistyo.models import AccessLog
from meetings import notifications, pdf, services
from meetings.models import JointMeeting, Modality, Notification, Participant
from tests import factories as f
from tests.meetings.test_views import booking

S = JointMeeting.Status
Kind = Notification.Kind
F2F, VIDEO, PHONE, MIXED = "face_to_face", "video", "phone", "mixed"
PILOT = {"young_person": F2F, "aftercare_worker": F2F, "kela_contact": VIDEO, "other": F2F}


def ways(meeting) -> dict:
    return {p.kind: p.joins_by for p in meeting.participants.exclude(status="declined")}


def days_ago(n: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def recorded(youth, *, starts_at, **fields):
    return f.MeetingFactory.build(youth=youth, starts_at=starts_at, **fields)


# How each participant joins ----------------------------------------------------------------


class TestJoining:
    def test_the_pilots_way_makes_a_mixed_meeting(self, youth, alice, kela, consent):
        meeting = services.meeting_create(
            meeting=f.MeetingFactory.build(youth=youth, organiser=alice),
            by=alice,
            kela_contact=kela,
            others=[{"name": "Tiina", "role_title": "tukihenkilö", "joins_by": PHONE}],
            invite=True,
            joins=PILOT,
        )
        meeting.refresh_from_db()
        assert meeting.modality == Modality.MIXED
        assert ways(meeting) == {
            "young_person": F2F,
            "aftercare_worker": F2F,
            "kela_contact": VIDEO,
            "other": PHONE,
        }

    def test_one_way_for_everyone_is_that_way(self, youth, alice, kela, consent):
        joins = dict.fromkeys(PILOT, VIDEO)
        meeting = services.meeting_create(
            meeting=f.MeetingFactory.build(youth=youth, organiser=alice, modality=F2F),
            by=alice,
            kela_contact=kela,
            others=[],
            invite=True,
            joins=joins,
        )
        meeting.refresh_from_db()
        assert meeting.modality == VIDEO

    def test_changing_the_ways_of_a_confirmed_meeting_tells_kela_with_a_new_sequence(
        self, meeting, alice, kela
    ):
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        sequence = JointMeeting.objects.get(pk=meeting.pk).ics_sequence
        meeting = JointMeeting.objects.get(pk=meeting.pk)
        services.meeting_update(meeting=meeting, by=alice, joins=PILOT)
        meeting.refresh_from_db()
        assert meeting.modality == MIXED
        assert meeting.status == S.CONFIRMED  # the time did not move: no new answer needed
        assert meeting.ics_sequence == sequence + 1
        assert Notification.objects.filter(kind=Kind.MEETING_CHANGED, recipient=kela).exists()

    def test_a_contact_invited_after_a_decline_joins_as_the_one_before(
        self, meeting, alice, kela, kela_other
    ):
        services.participants_set_joining(meeting=meeting, joins=PILOT)
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="declined", by=kela, message="x"
        )
        meeting = JointMeeting.objects.get(pk=meeting.pk)
        services.meeting_invite(meeting=meeting, kela_contact=kela_other, by=alice)
        assert meeting.participants.get(user=kela_other).joins_by == VIDEO
        assert JointMeeting.objects.get(pk=meeting.pk).modality == MIXED

    def test_the_pilots_way_is_one_click_in_the_booking_form(
        self, client_as, alice, youth, consent, kela
    ):
        client = client_as(alice)
        page = client.get(reverse("meetings:create", args=[youth.pk])).content.decode()
        assert "Nuori ja työntekijä kasvokkain, Kela etäyhteydellä" in page
        assert 'value="kela_video"' in page
        response = client.post(
            reverse("meetings:create", args=[youth.pk]), booking(kela, modality="kela_video")
        )
        assert response.status_code == 302
        meeting = JointMeeting.objects.get()
        assert meeting.modality == MIXED
        assert ways(meeting) == {
            "young_person": F2F,
            "aftercare_worker": F2F,
            "kela_contact": VIDEO,
            "other": F2F,  # the support person sits with the young person
        }
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert "Yhdistelmä" in page and "osallistuu: etäyhteys" in page

    def test_each_in_their_own_way_needs_each_way_and_keeps_what_was_typed(
        self, client_as, alice, youth, consent, kela
    ):
        data = booking(kela, modality="each", youth_joins=F2F, worker_joins="", kela_joins=PHONE)
        response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Valitse, miten jälkihuollon työntekijä osallistuu." in page
        assert "Opintotuki kuntoon" in page  # nothing typed is lost
        assert not JointMeeting.objects.exists()

    def test_each_in_their_own_way_with_a_network_member_by_phone(
        self, client_as, alice, youth, consent, kela
    ):
        data = booking(
            kela,
            modality="each",
            youth_joins=F2F,
            worker_joins=F2F,
            kela_joins=F2F,
            **{"others-0-joins_by": PHONE},
        )
        client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
        meeting = JointMeeting.objects.get()
        assert meeting.modality == MIXED
        assert meeting.participants.get(kind="other").joins_by == PHONE

    def test_the_edit_form_shows_the_ways_and_changes_them(self, client_as, meeting, alice):
        services.participants_set_joining(meeting=meeting, joins=PILOT)
        client = client_as(alice)
        url = reverse("meetings:edit", args=[meeting.pk])
        form = client.get(url).context["form"]
        assert form.initial["modality"] == "kela_video"
        data = booking(modality=VIDEO, day=form.initial["day"].isoformat())
        response = client.post(url, data)
        assert response.status_code == 302
        assert JointMeeting.objects.get(pk=meeting.pk).modality == VIDEO

    def test_changing_a_draft_without_kela_asks_no_way_for_kela(self, client_as, youth, alice):
        draft = f.MeetingFactory(youth=youth, organiser=alice)
        day = timezone.localdate() + datetime.timedelta(days=7)
        data = booking(
            modality="each", youth_joins=F2F, worker_joins=VIDEO, kela_joins="", day=str(day)
        )
        response = client_as(alice).post(reverse("meetings:edit", args=[draft.pk]), data)
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.modality == MIXED

    def test_somebody_face_to_face_needs_a_place(self, client_as, alice, youth, consent, kela):
        data = booking(kela, modality="kela_video", place="")
        response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
        assert "Kerro, missä tapaaminen pidetään." in response.content.decode()
        data = booking(kela, modality=VIDEO, place="")
        response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
        assert response.status_code == 302


# "Kela took part" ----------------------------------------------------------------------------


class TestKelaTookPart:
    def test_a_started_meeting_kela_did_not_answer_is_held_when_the_worker_confirms(
        self, meeting, alice, kela
    ):
        meeting = f.move_into_past(meeting)
        services.meeting_mark_held(meeting=meeting, by=alice, kela_took_part=True)
        meeting.refresh_from_db()
        assert meeting.status == S.HELD and not meeting.recorded_afterwards
        participant = f.kela_participant(meeting, kela)
        assert participant.attendance == Participant.Attendance.RECORDED_BY_WORKER
        n = Notification.objects.get(kind=Kind.TAKING_PART_RECORDED)
        assert n.recipient == kela and n.meeting == meeting
        assert "kirjasi, että osallistuit" in notifications.text(n)[1]
        # Kela took part: Kela gets a feedback link like everyone who took part.
        assert SurveyLink.objects.filter(meeting=meeting, participant=participant).exists()

    def test_without_the_confirmation_it_is_refused_next_to_the_tick_box(self, meeting, alice):
        meeting = f.move_into_past(meeting)
        with pytest.raises(ValidationError) as e:
            services.meeting_mark_held(meeting=meeting, by=alice)
        assert "kela_took_part" in e.value.error_dict
        assert JointMeeting.objects.get(pk=meeting.pk).status == S.INVITED

    def test_kela_took_part_on_a_meeting_without_kela_is_refused(self, youth, alice):
        meeting = f.MeetingFactory(youth=youth, organiser=alice)
        meeting = f.move_into_past(meeting)
        with pytest.raises(ValidationError) as e:
            services.meeting_mark_held(meeting=meeting, by=alice, kela_took_part=True)
        assert "kela_took_part" in e.value.error_dict
        assert "ei ole mukana Kelan yhteyshenkilöä" in str(e.value)

    def test_a_kela_contact_who_declined_cannot_be_recorded_as_taking_part(
        self, meeting, alice, kela
    ):
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="declined", by=kela, message="x"
        )
        meeting = f.move_into_past(meeting)
        with pytest.raises(ValidationError) as e:
            services.meeting_mark_held(meeting=meeting, by=alice, kela_took_part=True)
        assert "kela_took_part" in e.value.error_dict

    def test_the_page_offers_the_tick_and_the_view_marks_held(self, client_as, meeting, alice):
        f.move_into_past(meeting)
        client = client_as(alice)
        url = reverse("meetings:held", args=[meeting.pk])
        refused = client.post(url, {})
        assert refused.status_code == 400
        page = refused.content.decode()
        assert "Valitse ”Kela osallistui”, jos Kelan yhteyshenkilö osallistui silti." in page
        assert 'name="kela_took_part"' in page
        response = client.post(url, {"kela_took_part": "on"})
        assert response["Location"] == reverse("meetings:plan", args=[meeting.pk])
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert "Osallistui (jälkihuollon työntekijän kirjaama)" in page

    def test_the_view_refuses_the_tick_on_a_meeting_without_kela_next_to_it(
        self, client_as, youth, alice
    ):
        meeting = f.move_into_past(f.MeetingFactory(youth=youth, organiser=alice))
        response = client_as(alice).post(
            reverse("meetings:held", args=[meeting.pk]), {"kela_took_part": "on"}
        )
        assert response.status_code == 400
        assert "ei ole mukana Kelan yhteyshenkilöä" in response.content.decode()


# A meeting recorded afterwards ---------------------------------------------------------------


class TestRecordedAfterwards:
    def test_it_is_held_at_once_on_the_consent_of_that_day_and_kela_is_told(
        self, youth, alice, kela, consent
    ):
        meeting = services.meeting_record_afterwards(
            meeting=recorded(youth, starts_at=timezone.now() - datetime.timedelta(hours=3)),
            by=alice,
            kela_contact=kela,
            others=[],
            joins=PILOT,
        )
        meeting.refresh_from_db()
        assert meeting.status == S.HELD and meeting.recorded_afterwards
        assert meeting.consent == consent and meeting.invited_at is None
        assert meeting.modality == MIXED
        kela_p = f.kela_participant(meeting, kela)
        assert kela_p.attendance == Participant.Attendance.RECORDED_BY_WORKER
        n = Notification.objects.get(kind=Kind.TAKING_PART_RECORDED)
        assert n.recipient == kela
        assert AccessLog.objects.filter(
            youth=youth, action=AccessLog.Action.DISCLOSE, user=alice
        ).exists()
        # Kela sees the meeting (the consent covers it today too) and can record a plan next.
        assert JointMeeting.objects.visible_to(kela).filter(pk=meeting.pk).exists()
        assert meeting.needs_plan

    def test_a_day_no_consent_covered_is_refused_next_to_the_date(self, youth, alice, kela):
        f.ConsentFactory(youth=youth, recorded_by=alice, given_at=timezone.now())
        with pytest.raises(ValidationError) as e:
            services.meeting_record_afterwards(
                meeting=recorded(youth, starts_at=days_ago(5)),
                by=alice,
                kela_contact=kela,
                others=[],
            )
        assert "day" in e.value.error_dict
        assert "ei ollut" in str(e.value) and "voimassa olevaa suostumusta" in str(e.value)
        assert not JointMeeting.objects.exists()

    def test_a_consent_withdrawn_before_that_day_does_not_count(self, youth, alice, kela):
        old = f.ConsentFactory(youth=youth, recorded_by=alice, given_at=days_ago(30))
        old.withdrawn_at, old.withdrawn_by = timezone.now() - datetime.timedelta(days=10), alice
        old.save()
        with pytest.raises(ValidationError):
            services.meeting_record_afterwards(
                meeting=recorded(youth, starts_at=days_ago(5)),
                by=alice,
                kela_contact=kela,
                others=[],
            )

    def test_a_consent_since_expired_still_grounds_a_day_it_covered(self, youth, alice):
        f.ConsentFactory(
            youth=youth,
            recorded_by=alice,
            given_at=days_ago(30),
            valid_until=timezone.localdate() - datetime.timedelta(days=2),
        )
        meeting = services.meeting_record_afterwards(
            meeting=recorded(youth, starts_at=days_ago(5)), by=alice, kela_contact=None, others=[]
        )
        assert meeting.status == S.HELD

    def test_a_future_time_is_refused(self, youth, alice, consent):
        with pytest.raises(ValidationError) as e:
            services.meeting_record_afterwards(
                meeting=recorded(youth, starts_at=timezone.now() + datetime.timedelta(hours=2)),
                by=alice,
                kela_contact=None,
                others=[],
            )
        assert "day" in e.value.error_dict

    def test_the_form_records_it_and_leads_to_the_plan(self, client_as, alice, youth, consent):
        client = client_as(alice)
        url = reverse("meetings:record", args=[youth.pk])
        page = client.get(url).content.decode()
        assert "Kirjaa tapaaminen jälkikäteen" in page
        day = timezone.localdate() - datetime.timedelta(days=1)  # the consent was given then
        data = booking(day=day.isoformat(), action="record")
        response = client.post(url, data)
        meeting = JointMeeting.objects.get()
        assert response["Location"] == reverse("meetings:plan", args=[meeting.pk])
        assert meeting.recorded_afterwards and meeting.status == S.HELD
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert "kirjattu jälkikäteen" in page

    def test_the_form_refuses_a_day_without_consent_keeping_what_was_typed(
        self, client_as, alice, youth, consent
    ):
        day = timezone.localdate() - datetime.timedelta(days=20)
        data = booking(day=day.isoformat(), action="record")
        response = client_as(alice).post(reverse("meetings:record", args=[youth.pk]), data)
        assert response.status_code == 200
        form = response.context["form"]
        assert "voimassa olevaa suostumusta" in " ".join(form.errors["day"])
        assert "Opintotuki kuntoon" in response.content.decode()
        assert not JointMeeting.objects.exists()

    def test_the_form_refuses_a_future_day(self, client_as, alice, youth, consent):
        response = client_as(alice).post(
            reverse("meetings:record", args=[youth.pk]), booking(action="record")
        )
        assert "täytyy olla menneisyydessä" in " ".join(response.context["form"].errors["day"])

    def test_the_record_page_is_on_the_young_persons_record(self, client_as, alice, youth):
        page = client_as(alice).get(reverse("cases:detail", args=[youth.pk])).content.decode()
        assert reverse("meetings:record", args=[youth.pk]) in page


# Kela says it did not take part --------------------------------------------------------------


class TestKelaCorrects:
    @pytest.fixture
    def afterwards(self, youth, alice, kela, consent):
        return services.meeting_record_afterwards(
            meeting=recorded(youth, starts_at=timezone.now() - datetime.timedelta(hours=3)),
            by=alice,
            kela_contact=kela,
            others=[],
        )

    def test_i_did_not_take_part_is_recorded_and_the_worker_told(self, afterwards, alice, kela):
        participant = f.kela_participant(afterwards, kela)
        services.taking_part_deny(participant=participant, by=kela, message="Olin lomalla")
        participant.refresh_from_db()
        assert participant.attendance == Participant.Attendance.NOT_PRESENT
        assert participant.status == Participant.Status.DECLINED
        assert participant.response_message == "Olin lomalla"
        n = Notification.objects.get(kind=Kind.TAKING_PART_DENIED)
        assert n.recipient == alice
        assert notifications.text(n)[1].startswith(f"{kela.get_full_name()} ilmoittaa")
        # Their part has ended: the meeting is no longer theirs to see.
        assert not JointMeeting.objects.visible_to(kela).filter(pk=afterwards.pk).exists()

    def test_both_messages_are_mailed_with_a_link_to_the_meeting(self, afterwards, alice, kela):
        def mailed(kind, recipient):
            n = Notification.objects.get(kind=kind)
            assert notifications.deliver(n.pk, f"t-{kind}") == "sent"
            message = mail.outbox[-1]
            assert message.to == [recipient.email]
            assert reverse("meetings:detail", args=[afterwards.pk]) in message.body
            assert afterwards.youth.last_name not in message.body

        mailed(Kind.TAKING_PART_RECORDED, kela)
        services.taking_part_deny(participant=f.kela_participant(afterwards, kela), by=kela)
        mailed(Kind.TAKING_PART_DENIED, alice)

    def test_a_message_not_yet_sent_when_kela_denies_is_not_sent(self, afterwards, kela):
        services.taking_part_deny(participant=f.kela_participant(afterwards, kela), by=kela)
        n = Notification.objects.get(kind=Kind.TAKING_PART_RECORDED)
        assert notifications.deliver(n.pk, "t") == "skipped"  # the meeting is no longer theirs

    def test_only_a_recorded_taking_part_can_be_denied(self, meeting, kela, kela_other):
        participant = f.kela_participant(meeting, kela)
        with pytest.raises(ValidationError):
            services.taking_part_deny(participant=participant, by=kela)
        with pytest.raises(ValidationError):
            services.taking_part_deny(participant=participant, by=kela_other)

    def test_the_page_offers_it_and_the_view_records_it(self, client_as, afterwards, kela):
        client = client_as(kela)
        page = client.get(reverse("meetings:detail", args=[afterwards.pk])).content.decode()
        assert "Sinut on kirjattu osallistujaksi" in page
        response = client.post(
            reverse("meetings:taking_part_deny", args=[afterwards.pk]), {"message": "En ollut"}
        )
        assert response["Location"] == reverse("meetings:list")
        assert f.kela_participant(afterwards, kela).attendance == "not_present"
        page = client.get(response["Location"]).content.decode()
        assert "Kirjattu: et osallistunut." in page

    def test_the_worker_sees_the_correction(self, client_as, afterwards, alice, kela):
        services.taking_part_deny(participant=f.kela_participant(afterwards, kela), by=kela)
        page = client_as(alice).get(reverse("meetings:detail", args=[afterwards.pk]))
        assert "Ei osallistunut (ilmoitti itse)" in page.content.decode()


# What a mixed meeting carries out of the app -------------------------------------------------


def test_the_plan_data_of_a_mixed_meeting_says_how_each_joined(youth, alice, kela, consent):
    meeting = services.meeting_record_afterwards(
        meeting=recorded(youth, starts_at=timezone.now() - datetime.timedelta(hours=3)),
        by=alice,
        kela_contact=kela,
        others=[],
        joins=PILOT,
    )
    plan = services.plan_save(
        meeting=meeting, fields={"summary": "Sovittiin"}, version=None, by=alice
    )
    data = json.loads(json.dumps(pdf.plan_data(plan, include_identity_code=False), default=str))
    schema = Path(settings.BASE_DIR) / "docs" / "plan-export-v2.schema.json"
    jsonschema.validate(data, json.loads(schema.read_text()))
    assert data["meeting"]["modality"] == MIXED and data["meeting"]["recorded_afterwards"]
    assert {p["kind"]: p["joins_by"] for p in data["meeting"]["participants"]} == {
        "young_person": F2F,
        "aftercare_worker": F2F,
        "kela_contact": VIDEO,
    }


def test_the_calendar_file_of_a_mixed_meeting_has_the_place_and_the_video_link(
    client_as, meeting, alice
):
    JointMeeting.objects.filter(pk=meeting.pk).update(video_link="https://video.example/x")
    services.participants_set_joining(meeting=meeting, joins=PILOT)
    response = client_as(alice).get(reverse("meetings:ics", args=[meeting.pk]))
    ics = response.content.decode().replace("\r\n ", "")
    assert "LOCATION:Jälkihuollon toimisto" in ics
    assert "URL:https://video.example/x" in ics
