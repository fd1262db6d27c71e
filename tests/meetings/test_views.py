"""The meeting pages as their users use them: booking, answering, the plan, the review."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import YouthClient
from kelayhteistyo.models import AccessLog
from meetings import services
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Participant
from meetings.notifications import is_working_day
from tests import factories as f


def booking(kela=None, **kw):
    day = timezone.localdate() + datetime.timedelta(days=7)
    data = {
        "goal": "Opintotuki kuntoon",
        "topics": ["student_aid", "housing"],
        "topics_other": "",
        "youth_questions": "Saanko opintolainaa?",
        "modality": "face_to_face",
        "place": "Toimisto",
        "video_link": "",
        "day": day.isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "language": f.language("fi").pk,
        "kela_contact": kela.pk if kela else "",
        "action": "invite",
        "others-TOTAL_FORMS": "2",
        "others-INITIAL_FORMS": "0",
        "others-0-name": "Tiina Tukihenkilö",
        "others-0-network_role": "support_person",
        "others-0-role_title": "tukihenkilö",
        "others-0-organisation_name": "",
        "others-1-name": "",
        "others-1-role_title": "",
        "others-1-organisation_name": "",
    }
    data.update(kw)
    return data


def test_it_books_and_invites(client_as, alice, youth, consent, kela):
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), booking(kela))
    meeting = JointMeeting.objects.get()
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.status == JointMeeting.Status.INVITED
    assert meeting.duration_minutes == 60
    assert timezone.localtime(meeting.starts_at).hour == 10
    assert meeting.topics == ["student_aid", "housing"]
    assert set(meeting.participants.values_list("kind", flat=True)) == {
        "young_person",
        "aftercare_worker",
        "kela_contact",
        "other",
    }


def test_a_meeting_on_a_public_holiday_or_weekend_is_booked_with_a_warning(
    client_as, alice, youth, consent, kela
):
    today = timezone.localdate()
    independence_day = datetime.date(today.year, 12, 6)
    if independence_day <= today:
        independence_day = independence_day.replace(year=today.year + 1)
    client = client_as(alice)
    response = client.post(
        reverse("meetings:create", args=[youth.pk]),
        booking(kela, day=independence_day.isoformat()),
        follow=True,
    )
    notes = [str(m) for m in response.context["messages"]]
    day = f"{independence_day.day}.12.{independence_day.year}"
    assert f"Tapaaminen on {day}, Itsenäisyyspäivä: tarkista, että aika sopii kaikille." in notes
    assert JointMeeting.objects.count() == 1  # booked all the same

    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
    response = client.post(
        reverse("meetings:create", args=[youth.pk]),
        booking(kela, day=saturday.isoformat()),
        follow=True,
    )
    assert any("lauantai" in str(m) for m in response.context["messages"])

    tuesday = saturday + datetime.timedelta(days=3)
    while not is_working_day(tuesday):
        tuesday += datetime.timedelta(days=7)
    response = client.post(
        reverse("meetings:create", args=[youth.pk]),
        booking(kela, day=tuesday.isoformat()),
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Kutsu lähetettiin."]


def test_it_saves_a_draft_without_kela(client_as, alice, youth):
    data = booking(action="draft")
    assert (
        client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data).status_code == 302
    )
    assert JointMeeting.objects.get().status == JointMeeting.Status.DRAFT


@pytest.mark.parametrize(
    "change, field",
    [
        ({"goal": ""}, "goal"),
        ({"day": "2020-01-01"}, "day"),
        ({"end_time": "09:00"}, "end_time"),
        ({"end_time": "10:05"}, "end_time"),
        ({"place": ""}, "place"),
        ({"kela_contact": ""}, "kela_contact"),
        ({"video_link": "javascript:alert(1)"}, "video_link"),
    ],
    ids=[
        "empty-goal",
        "in-the-past",
        "end-before-start",
        "too-short",
        "no-place",
        "no-kela",
        "bad-link",
    ],
)
def test_bad_booking_input_is_shown_next_to_the_field(
    client_as, alice, youth, consent, kela, change, field
):
    data = booking(kela, **change)
    if change.get("kela_contact") == "":
        data["kela_contact"] = ""
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not JointMeeting.objects.exists()
    page = response.content.decode()
    assert "Saanko opintolainaa?" in page  # what was typed is kept
    assert 'value="Tiina Tukihenkilö"' in page


def test_inviting_kela_without_consent_says_why_next_to_the_field(client_as, alice, youth, kela):
    url = reverse("meetings:create", args=[youth.pk])
    page = client_as(alice).get(url).content.decode()
    assert reverse("cases:consent_create", args=[youth.pk]) in page
    response = client_as(alice).post(url, booking(kela))
    assert "voimassa olevaa suostumusta" in str(response.context["form"].errors["kela_contact"])
    assert not JointMeeting.objects.exists()


def test_filtering_the_directory_keeps_what_was_typed(client_as, alice, youth, kela):
    swedish_only = f.KelaContactFactory(last_name="Berg")
    swedish_only.kela_profile.languages.set([f.language("sv")])
    kela.kela_profile.languages.set([f.language("fi")])
    data = booking(action="search", goal="Kirjoitettu tavoite")
    data["search-language"] = f.language("sv").pk
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert list(response.context["form"].fields["kela_contact"].queryset) == [swedish_only]
    assert "Kirjoitettu tavoite" in response.content.decode()
    assert not JointMeeting.objects.exists()


def test_the_phone_note_is_shown_for_phone_meetings(client_as, alice, youth, consent, kela):
    data = booking(kela, modality="phone", goal="")
    page = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data).content
    assert b'id="phone-note" class="alert alert-info" role="note">' in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_without_a_reason_says_so_once(client_as, meeting, alice, reason):
    response = client_as(alice).post(
        reverse("meetings:cancel", args=[meeting.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    assert response.context["cancel_form"].errors["reason"] == ["Kerro perumisen syy."]
    assert response.content.decode().count("Kerro perumisen syy.") == 2  # summary, field
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.INVITED


def test_a_cancelled_meeting_offers_no_next_steps_and_waits_for_no_answer(
    client_as, meeting, alice
):
    services.meeting_cancel(meeting=meeting, by=alice, reason="Nuori sairastui")
    page = client_as(alice).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Tapaaminen on peruttu. Syy: Nuori sairastui" in page
    assert "Seuraavat vaiheet" not in page and "Odottaa vastausta" not in page
    assert reverse("meetings:ics", args=[meeting.pk]) not in page


def test_a_started_meeting_kela_has_not_accepted_says_what_to_do(client_as, meeting, alice):
    """Kela has not answered in the app: held only with the tick "Kela took part"."""
    f.move_into_past(meeting)
    page = client_as(alice).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Kelan yhteyshenkilö ei ole hyväksynyt kutsua sovelluksessa" in page
    assert 'name="kela_took_part"' in page
    assert "Merkitse tapaaminen pidetyksi" in page


def test_the_language_switch_after_a_refused_form_leads_back_to_a_page(client_as, meeting, alice):
    """The address of a refused POST (…/cancel/) takes no GET: the switch leads to the page the
    form was sent from."""
    detail = reverse("meetings:detail", args=[meeting.pk])
    client = client_as(alice)
    response = client.post(
        reverse("meetings:cancel", args=[meeting.pk]),
        {"reason": ""},
        HTTP_REFERER=f"http://testserver{detail}",
    )
    assert f'name="next" value="http://testserver{detail}"' in response.content.decode()
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": f"http://testserver{detail}"}
    )
    assert switched.status_code == 302 and switched["Location"].endswith(detail)


class TestKelaView:
    def test_the_invitee_sees_only_what_the_consent_covers(self, client_as, meeting, kela, youth):
        YouthClient.objects.filter(pk=youth.pk).update(
            first_name="Aino", last_name="Salaisenniemi", identity_code="131052-308T"
        )
        youth.refresh_from_db()
        response = client_as(kela).get(reverse("meetings:detail", args=[meeting.pk]))
        page = response.content.decode()
        assert youth.first_name in page
        assert youth.last_name not in page
        assert "131052" not in page
        assert reverse("cases:detail", args=[youth.pk]) not in page
        assert meeting.goal in page
        # Kela is another organisation: its contact's read is a disclosure (issue 15.6).
        log = AccessLog.objects.get(user=kela, action="disclose")
        assert log.basis == AccessLog.Basis.CONSENT

    def test_an_uninvited_contact_gets_404(self, client_as, meeting, kela_other):
        url = reverse("meetings:detail", args=[meeting.pk])
        assert client_as(kela_other).get(url).status_code == 404

    def test_a_draft_is_not_shown_to_kela(self, client_as, youth, alice, kela, consent):
        draft = services.meeting_create(
            meeting=f.MeetingFactory.build(youth=youth, organiser=alice),
            by=alice,
            kela_contact=kela,
            others=[],
            invite=False,
        )
        url = reverse("meetings:detail", args=[draft.pk])
        assert client_as(kela).get(url).status_code == 404

    def test_it_accepts(self, client_as, meeting, kela):
        response = client_as(kela).post(
            reverse("meetings:respond", args=[meeting.pk]), {"answer": "accepted"}
        )
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == JointMeeting.Status.CONFIRMED

    def test_a_decline_without_a_reason_is_shown_next_to_the_field(self, client_as, meeting, kela):
        response = client_as(kela).post(
            reverse("meetings:respond", args=[meeting.pk]), {"answer": "declined"}
        )
        assert response.status_code == 400
        assert response.context["respond_form"].errors["message"]

    def test_it_proposes_another_time(self, client_as, meeting, kela, alice):
        day = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
        client_as(kela).post(
            reverse("meetings:respond", args=[meeting.pk]),
            {
                "answer": "proposed",
                "proposed_day": day,
                "proposed_time": "13:00",
                "message": "Sopiiko tämä?",
            },
        )
        participant = f.kela_participant(meeting, kela)
        assert participant.status == Participant.Status.PROPOSED
        page = client_as(alice).get(reverse("meetings:detail", args=[meeting.pk])).content
        assert b"Sopiiko t\xc3\xa4m\xc3\xa4?" in page
        accept = reverse("meetings:proposal_accept", args=[meeting.pk, participant.pk])
        assert accept.encode() in page
        client_as(alice).post(accept)
        meeting.refresh_from_db()
        assert timezone.localtime(meeting.starts_at).hour == 13
        assert meeting.status == JointMeeting.Status.CONFIRMED

    def test_a_proposal_in_the_past_is_refused(self, client_as, meeting, kela):
        response = client_as(kela).post(
            reverse("meetings:respond", args=[meeting.pk]),
            {"answer": "proposed", "proposed_day": "2020-01-01", "proposed_time": "13:00"},
        )
        assert response.context["respond_form"].errors["proposed_day"]

    def test_answering_twice_is_refused_with_a_message(self, client_as, meeting, kela):
        url = reverse("meetings:respond", args=[meeting.pk])
        client_as(kela).post(url, {"answer": "accepted"})
        response = client_as(kela).post(url, {"answer": "declined", "message": "Ei käy"})
        assert response.status_code == 400
        assert "Olet jo vastannut" in str(response.context["respond_form"].non_field_errors())
        assert f.kela_participant(meeting, kela).status == Participant.Status.ACCEPTED

    def test_the_plan_is_shown_only_when_the_consent_covers_sharing(
        self, client_as, youth, alice, kela, consent
    ):
        held, plan, _item = planned_meeting(youth, alice, kela)
        services.action_item_add(
            plan=plan,
            owner=held.participants.get(user=alice),
            what="Työntekijän tehtävä",
            due_date=None,
            by=alice,
        )
        url = reverse("meetings:detail", args=[held.pk])
        page = client_as(kela).get(url).content.decode()
        assert "Yhteinen yhteenveto" in page and "Työntekijän tehtävä" in page
        type(consent).objects.filter(pk=consent.pk).update(scope_share_plan=False)
        page = client_as(kela).get(url).content.decode()
        assert "Yhteinen yhteenveto" not in page
        assert "Työntekijän tehtävä" not in page
        assert "Kelan tehtävä" in page  # their own item stays visible

    def test_the_plan_follows_the_consent_of_today_not_the_one_of_the_invitation(
        self, client_as, youth, alice, kela, consent
    ):
        """The young person narrows the consent: a new one without sharing the plan, then the
        old one withdrawn. The meeting still stands on the new consent, and Kela at once sees
        only their own item. Sharing given again in a later consent shows the plan again."""
        held, _plan, _item = planned_meeting(youth, alice, kela)
        url = reverse("meetings:detail", args=[held.pk])
        assert "Yhteinen yhteenveto" in client_as(kela).get(url).content.decode()

        narrower = f.ConsentFactory.build(youth=youth, scope_share_plan=False)
        case_services.consent_record(consent=narrower, by=alice)
        case_services.consent_withdraw(consent=consent, by=alice)
        page = client_as(kela).get(url).content.decode()
        assert "Yhteinen yhteenveto" not in page
        assert "Kelan tehtävä" in page

        wider = f.ConsentFactory.build(youth=youth, scope_share_plan=True)
        case_services.consent_record(consent=wider, by=alice)
        assert "Yhteinen yhteenveto" in client_as(kela).get(url).content.decode()

    def test_kela_ticks_their_own_item_done(self, client_as, youth, alice, kela, consent):
        held, _plan, item = planned_meeting(youth, alice, kela)
        response = client_as(kela).post(
            reverse("meetings:item_toggle", args=[held.pk, item.pk]), {"done": "1"}
        )
        assert response["Location"] == reverse("meetings:detail", args=[held.pk])
        item.refresh_from_db()
        assert item.status == ActionItem.Status.DONE


def planned_meeting(youth, alice, kela):
    """A held meeting with a plan ("Yhteinen yhteenveto") and one item of the Kela contact."""
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    plan = services.plan_save(
        meeting=held, fields={"summary": "Yhteinen yhteenveto"}, version=None, by=alice
    )
    item = services.action_item_add(
        plan=plan,
        owner=f.kela_participant(held, kela),
        what="Kelan tehtävä",
        due_date=None,
        by=alice,
    )
    return held, plan, item


@pytest.fixture
def held(youth, alice, kela, consent):
    return f.held_meeting(youth=youth, organiser=alice, kela=kela)


def plan_data(**kw):
    data = {
        "summary": "Haetaan opintotukea ja asumistukea",
        "kela_cooperation": "yes",
        "kela_cooperation_how": "Kela neuvoo",
        "progress_followup": "Tarkistuksessa",
        "review_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "recorded_in_client_plan": "on",
        "version": "",
    }
    data.update(kw)
    return data


class TestPlan:
    def test_marking_held_leads_to_the_plan(self, client_as, meeting, alice, kela):
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        f.move_into_past(meeting)
        response = client_as(alice).post(reverse("meetings:held", args=[meeting.pk]))
        assert response["Location"] == reverse("meetings:plan", args=[meeting.pk])

    def test_marking_a_future_meeting_held_says_why(self, client_as, meeting, alice, kela):
        services.invitation_respond(
            participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
        )
        client = client_as(alice)
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert "Merkitse tapaaminen pidetyksi" not in page  # no button before the time
        assert "Voit merkitä tapaamisen pidetyksi, kun se on alkanut." in page
        response = client.post(reverse("meetings:held", args=[meeting.pk]), follow=True)
        assert "Tapaaminen ei ole vielä alkanut." in response.content.decode()
        meeting.refresh_from_db()
        assert meeting.status == JointMeeting.Status.CONFIRMED
        f.move_into_past(meeting)
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert "Merkitse tapaaminen pidetyksi" in page

    def test_the_plan_page_of_a_meeting_not_yet_held_leads_back_to_the_meeting(
        self, client_as, meeting, alice
    ):
        response = client_as(alice).get(reverse("meetings:plan", args=[meeting.pk]), follow=True)
        assert response.redirect_chain == [(reverse("meetings:detail", args=[meeting.pk]), 302)]
        assert "Suunnitelma kirjataan, kun tapaaminen on pidetty." in response.content.decode()

    def test_it_records_the_plan(self, client_as, held, alice):
        response = client_as(alice).post(reverse("meetings:plan", args=[held.pk]), plan_data())
        assert response.status_code == 302
        plan = FollowUpPlan.objects.get(meeting=held)
        assert plan.kela_cooperation == "yes" and plan.recorded_in_client_plan

    def test_a_review_date_before_the_meeting_is_refused(self, client_as, held, alice):
        response = client_as(alice).post(
            reverse("meetings:plan", args=[held.pk]), plan_data(review_date="2020-01-01")
        )
        assert response.status_code == 400
        assert response.context["form"].errors["review_date"]
        assert "Haetaan opintotukea" in response.content.decode()

    def test_a_stale_form_is_refused_and_nothing_is_overwritten(self, client_as, held, alice):
        url = reverse("meetings:plan", args=[held.pk])
        client = client_as(alice)
        client.post(url, plan_data())
        client.post(url, plan_data(summary="Ensimmäinen muokkaus", version="1"))
        response = client.post(url, plan_data(summary="Toinen muokkaus", version="1"))
        assert response.status_code == 400
        assert "Joku toinen tallensi suunnitelman" in response.content.decode()
        assert "Toinen muokkaus" in response.content.decode()
        assert FollowUpPlan.objects.get().summary == "Ensimmäinen muokkaus"

    def test_it_adds_items_with_htmx_and_without(self, client_as, held, alice, kela):
        client = client_as(alice)
        client.post(reverse("meetings:plan", args=[held.pk]), plan_data())
        url = reverse("meetings:item_add", args=[held.pk])
        worker = held.participants.get(user=alice)
        kela_p = f.kela_participant(held, kela)
        due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
        response = client.post(
            url,
            {"owner": worker.pk, "what": "Soittaa", "due_date": due},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert b'id="action-items"' in response.content and b"<html" not in response.content
        assert b"Soittaa" in response.content
        # Screen readers hear it: the text goes into the page's live region, which stays.
        oob = '<div hx-swap-oob="innerHTML:#messages">'
        assert oob in response.content.decode()
        assert "Tehtävä lisättiin." in response.content.decode().split(oob)[1]
        response = client.post(url, {"owner": kela_p.pk, "what": "Selvittää", "due_date": due})
        assert response["Location"] == reverse("meetings:plan", args=[held.pk])
        assert ActionItem.objects.count() == 2

    def test_a_bad_item_is_shown_next_to_the_field(self, client_as, held, alice):
        client = client_as(alice)
        client.post(reverse("meetings:plan", args=[held.pk]), plan_data())
        worker = held.participants.get(user=alice)
        response = client.post(
            reverse("meetings:item_add", args=[held.pk]),
            {"owner": worker.pk, "what": "Soittaa", "due_date": "2020-01-01"},
            headers={"HX-Request": "true"},
        )
        assert response.context["item_form"].errors["due_date"]
        assert b'value="Soittaa"' in response.content
        assert not ActionItem.objects.exists()

    def test_it_ticks_an_item_with_htmx(self, client_as, held, alice):
        client = client_as(alice)
        client.post(reverse("meetings:plan", args=[held.pk]), plan_data())
        plan = FollowUpPlan.objects.get()
        item = services.action_item_add(
            plan=plan,
            owner=held.participants.get(user=alice),
            what="Soittaa",
            due_date=None,
            by=alice,
        )
        response = client.post(
            reverse("meetings:item_toggle", args=[held.pk, item.pk]),
            {"done": "1"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200 and b'id="action-items"' in response.content
        item.refresh_from_db()
        assert item.status == ActionItem.Status.DONE

    def test_it_records_a_review(self, client_as, held, alice):
        client = client_as(alice)
        client.post(reverse("meetings:plan", args=[held.pk]), plan_data())
        plan = FollowUpPlan.objects.get()
        item = services.action_item_add(
            plan=plan,
            owner=held.participants.get(user=alice),
            what="Soittaa",
            due_date=None,
            by=alice,
        )
        today = timezone.localdate()
        response = client.post(
            reverse("meetings:review", args=[held.pk]),
            {
                "agreed_for": plan.review_date.isoformat(),
                "held_on": today.isoformat(),
                "how_it_went": "Hyvin meni",
                "next_review_date": (today + datetime.timedelta(days=60)).isoformat(),
                "done_items": [item.pk],
            },
        )
        assert response.status_code == 302
        held.refresh_from_db()
        item.refresh_from_db()
        assert held.status == JointMeeting.Status.IN_FOLLOW_UP
        assert item.status == ActionItem.Status.DONE

    def test_a_review_must_continue_or_close(self, client_as, held, alice):
        client = client_as(alice)
        client.post(reverse("meetings:plan", args=[held.pk]), plan_data())
        response = client.post(
            reverse("meetings:review", args=[held.pk]),
            {"held_on": timezone.localdate().isoformat(), "how_it_went": "Hyvin meni"},
        )
        assert response.status_code == 400
        assert response.context["form"].errors["next_review_date"]


class TestHomePages:
    def test_the_worker_sees_what_needs_attention(self, client_as, alice, kela, youth, consent):
        waiting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        plan = services.plan_save(
            meeting=held,
            fields={"summary": "x", "review_date": timezone.localdate()},
            version=None,
            by=alice,
        )
        item = ActionItem.objects.create(
            plan=plan,
            owner=held.participants.get(user=alice),
            what="Myöhässä oleva tehtävä",
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
        response = client_as(alice).get("/")
        context = response.context
        assert [m.pk for m in context["waiting"]] == [waiting.pk]
        assert [i.pk for i in context["overdue_items"]] == [item.pk]
        assert [p.pk for p in context["reviews_due"]] == [plan.pk]
        assert youth.pk in {y.pk for y in context["youth_clients"]}

    def test_kela_sees_invitations_to_answer(self, client_as, meeting, kela, kela_other):
        assert [m.pk for m in client_as(kela).get("/").context["to_answer"]] == [meeting.pk]
        assert client_as(kela_other).get("/").context["to_answer"] == []

    def test_the_coordinator_sees_no_personal_records(self, client_as, coordinator, meeting):
        # A name no other person of the cast can have (random names once gave the coordinator
        # the young person's first name, and the header shows the coordinator's own).
        YouthClient.objects.filter(pk=meeting.youth_id).update(first_name="Ainomaija")
        page = client_as(coordinator).get("/").content.decode()
        assert "Ainomaija" not in page


def test_the_meeting_list_has_a_constant_number_of_queries(
    client_as, alice, kela, consent, youth, django_assert_num_queries
):
    client = client_as(alice)
    f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    with django_assert_num_queries(9) as small:  # with one insert of access-log rows
        client.get(reverse("meetings:list"))
    for _ in range(10):
        f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("meetings:list"))


def test_the_status_filter_offers_drafts_only_to_workers(client_as, alice, kela):
    def offered(user):
        return [
            v for v, _label in client_as(user).get(reverse("meetings:list")).context["statuses"]
        ]

    assert "draft" in offered(alice)
    assert "draft" not in offered(kela) and "invited" in offered(kela)


@pytest.mark.parametrize("who, queries", [("alice", 15), ("kela", 14)])
def test_home_pages_have_a_constant_number_of_queries(
    request, who, queries, alice, kela, youth, consent, django_assert_num_queries
):
    """Session and user, one query per section of the page (its first rows and its count up
    to a cap together, issue 20; for Kela also its directory entry, for the special service
    referrals of its areas), the bell's count, one insert of access-log rows for every young
    person and cooperation request shown and the session's idle clock (a savepoint, an
    update). Issue 18 added the cooperation requests (both roles) and the special service
    referrals (Kela)."""
    user = request.getfixturevalue(who)
    client = request.getfixturevalue("client")
    client.force_login(user)
    f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    with django_assert_num_queries(queries):
        client.get("/")
    for _ in range(5):
        held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
        plan = services.plan_save(meeting=held, fields={"summary": "x"}, version=None, by=alice)
        ActionItem.objects.create(
            plan=plan,
            owner=f.kela_participant(held, kela),
            what="x",
            due_date=timezone.localdate() - datetime.timedelta(days=2),
        )
        f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    with django_assert_num_queries(queries):
        client.get("/")


def test_the_worker_home_lists_meetings_waiting_for_their_plan(
    client_as, alice, kela, youth, consent
):
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    upcoming = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    response = client_as(alice).get("/")
    assert [m.pk for m in response.context["to_record"]] == [held.pk]
    assert upcoming.pk not in {m.pk for m in response.context["to_record"]}
    services.plan_save(meeting=held, fields={"summary": "x"}, version=None, by=alice)
    assert not client_as(alice).get("/").context["to_record"]


def test_the_kela_home_lists_an_invitation_once_until_it_is_answered(
    client_as, alice, kela, meeting
):
    response = client_as(kela).get("/")
    assert [m.pk for m in response.context["to_answer"]] == [meeting.pk]
    assert meeting.pk not in {m.pk for m in response.context["upcoming"]}
    participant = f.kela_participant(meeting, kela)
    services.invitation_respond(participant=participant, answer="accepted", by=kela)
    response = client_as(kela).get("/")
    assert not response.context["to_answer"]
    assert [m.pk for m in response.context["upcoming"]] == [meeting.pk]


def test_the_directory_has_a_constant_number_of_queries(
    client_as, alice, kela, django_assert_num_queries
):
    client = client_as(alice)
    sv = {"language": f.language("sv").pk}
    # session, user, the chosen language, the filter's options (2), contacts, areas, languages,
    # absences, the bell's count, the session's idle clock (a savepoint, an update)
    with django_assert_num_queries(13):
        client.get(reverse("directory"), sv)
    for _ in range(5):
        f.KelaContactFactory()
    with django_assert_num_queries(13):
        response = client.get(reverse("directory"), sv)
    assert len(response.context["contacts"]) == 6


def test_another_participant_needs_a_name_only_when_the_row_is_used(
    client_as, alice, youth, kela, consent
):
    data = booking(kela)
    data.update({"others-0-name": "", "others-1-role_title": ""})
    data["others-0-role_title"] = "tulkki"  # a role without a name
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 200
    assert response.context["others"][0].errors["name"]
    assert 'value="tulkki"' in response.content.decode()
    data["others-0-role_title"] = ""  # both rows empty: booked with the Kela contact only
    data["others-0-network_role"] = ""
    response = client_as(alice).post(reverse("meetings:create", args=[youth.pk]), data)
    assert response.status_code == 302
    meeting = JointMeeting.objects.get()
    assert not meeting.participants.filter(kind=Participant.Kind.OTHER).exists()


def test_kela_contacts_are_offered_with_language_names_in_the_users_language(
    client_as, alice, youth, kela, consent
):
    kela.kela_profile.languages.set([f.language("sv")])
    page = client_as(alice).get(reverse("meetings:create", args=[youth.pk])).content.decode()
    assert "ruotsi" in page  # "sv" in Finnish
    alice.preferred_language = "sv"
    alice.save()
    response = client_as(alice).get(reverse("meetings:create", args=[youth.pk]))
    assert "svenska" in response.content.decode()
    counties = [c.name_sv for c in response.context["search"].fields["county"].queryset]
    assert counties == sorted(counties)
