"""What the young person sees on their own page, and does there; never another's data, never
worker-only notes, never the identity code; every view and download in the access log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kelayhteistyo.models import AccessLog
from meetings import services
from meetings.models import ActionItem, ActionItemChange, Notification, Participant
from tests import factories as f

from .conftest import HETU


def own_sign_in(client, *youths):
    from cases.own import OWN_AT, OWN_YOUTH

    session = client.session
    session[OWN_YOUTH] = [str(y.pk) for y in youths]
    session[OWN_AT] = timezone.now().isoformat()
    session.save()
    return client


@pytest.fixture
def world(alice, kela, own_youth, consent):
    """Alice's young person: a held meeting with a plan (own words, items of the young person,
    of Kela, of Alice and of an outside service, a worker's note), the next meeting coming up."""
    held = f.held_meeting(youth=own_youth, organiser=alice, kela=kela)
    plan = services.plan_save(
        meeting=held,
        fields={
            "summary": "TYÖNTEKIJÄN YHTEENVETO",
            "own_words": "Haluan oman asunnon.",
            "review_date": timezone.localdate() + datetime.timedelta(days=30),
        },
        version=None,
        by=alice,
    )
    parts = {p.kind: p for p in held.participants.all()}
    due = datetime.date(2026, 12, 15)
    mine = services.action_item_add(
        plan=plan,
        owner=parts[Participant.Kind.YOUNG_PERSON],
        what="Hakee asumistukea",
        due_date=due,
        by=alice,
    )
    services.action_item_add(
        plan=plan,
        owner=parts[Participant.Kind.KELA_CONTACT],
        what="Käsittelee hakemuksen",
        due_date=None,
        by=alice,
    )
    alices = services.action_item_add(
        plan=plan,
        owner=parts[Participant.Kind.AFTERCARE_WORKER],
        what="Soittaa vuokranantajalle",
        due_date=None,
        by=alice,
    )
    services.action_item_add(
        plan=plan,
        owner=None,
        what="Ohjaa kurssille",
        due_date=None,
        by=alice,
        outside_service="TE-palvelut",
    )
    services.action_item_note(item=alices, note="SISÄINEN MUISTIINPANO", by=alice)
    upcoming = f.invited_meeting(youth=own_youth, organiser=alice, kela=kela)
    services.invitation_respond(
        participant=f.kela_participant(upcoming, kela), answer="accepted", by=kela
    )
    return {"plan": plan, "mine": mine, "upcoming": upcoming, "held": held}


def test_the_page_shows_meetings_plan_and_consents_in_plain_words(client, world, alice, kela):
    page = own_sign_in(client, world["held"].youth).get(reverse("own:page")).content.decode()
    upcoming = world["upcoming"]
    assert timezone.localtime(upcoming.starts_at).strftime("%-d.%-m.%Y") in page
    assert upcoming.place in page
    assert f"{alice.first_name} (jälkihuolto)" in page
    assert f"{kela.first_name} (Kela)" in page
    assert reverse("own:ics", args=[upcoming.pk]) in page
    # The plan, as "who will do what by when".
    assert "Sinä:" not in page
    assert "Sinä teet</span> Hakee asumistukea – viimeistään 15.12." in page
    assert "Kela tekee</span> Käsittelee hakemuksen" in page
    assert f"{alice.first_name} tekee</span> Soittaa vuokranantajalle" in page
    assert "TE-palvelut tekee</span> Ohjaa kurssille" in page
    assert "Haluan oman asunnon." in page
    review = world["plan"].review_date
    assert f"{review.day}.{review.month}.{review.year}" in page
    # Consents, what each allows.
    assert "Jälkihuollon työntekijäsi saa kutsua Kelan työntekijän" in page
    assert "Haluan perua tämän" in page
    # Never the worker's notes, never the identity code (not even masked).
    assert "TYÖNTEKIJÄN YHTEENVETO" not in page
    assert "SISÄINEN MUISTIINPANO" not in page
    assert HETU[:6] not in page
    assert world["held"].youth.last_name not in page


def test_the_page_is_in_the_access_log_as_own_data(client, world):
    youth = world["held"].youth
    own_sign_in(client, youth).get(reverse("own:page"))
    row = AccessLog.objects.filter(youth=youth, object_type="own_page").get()
    assert row.user is None
    assert row.basis == AccessLog.Basis.OWN_DATA
    assert row.action == AccessLog.Action.READ


def test_the_calendar_file_is_a_download_in_the_access_log(client, world):
    meeting = world["upcoming"]
    response = own_sign_in(client, meeting.youth).get(reverse("own:ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.content
    row = AccessLog.objects.get(object_type="own_ics")
    assert (row.basis, row.action, row.object_id) == (
        AccessLog.Basis.OWN_DATA,
        AccessLog.Action.EXPORT,
        str(meeting.pk),
    )


def test_another_young_persons_objects_answer_404(client, world, alice, kela):
    # A name of its own: a random one ("Kai") was once part of the Kela contact's ("Kaisa").
    other = f.YouthFactory(
        organisation=alice.organisation, responsible_worker=alice, first_name="Ulpukka"
    )
    f.ConsentFactory(youth=other, recorded_by=alice)
    theirs = f.invited_meeting(youth=other, organiser=alice, kela=kela)
    their_consent = other.consents.get()
    their_item = ActionItem.objects.create(
        plan=world["plan"].__class__.objects.create(
            meeting=f.held_meeting(youth=other, organiser=alice, kela=f.KelaContactFactory()),
            summary="x",
            updated_by=alice,
        ),
        owner=Participant.objects.filter(meeting__youth=other, kind="young_person").first(),
        what="Heidän tehtävänsä",
    )
    own_sign_in(client, world["held"].youth)
    assert client.get(reverse("own:ics", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("own:item_done", args=[their_item.pk])).status_code == 404
    assert client.post(reverse("own:item_help", args=[their_item.pk])).status_code == 404
    assert client.post(reverse("own:withdraw", args=[their_consent.pk])).status_code == 404
    page = client.get(reverse("own:page")).content.decode()
    assert other.first_name not in page
    assert "Heidän tehtävänsä" not in page


def test_they_mark_their_own_task_done_and_the_worker_sees_it(
    client, world, alice, django_capture_on_commit_callbacks
):
    mine = world["mine"]
    own_sign_in(client, world["held"].youth)
    response = client.post(reverse("own:item_done", args=[mine.pk]), follow=True)
    assert "Merkitty tehdyksi" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == ActionItem.Status.DONE
    change = mine.changes.get(field=ActionItemChange.Field.STATUS)
    assert change.changed_by is None
    told = Notification.objects.get(kind="own_item_done", recipient=alice)
    assert told.action_item == mine
    assert AccessLog.objects.filter(
        object_type="actionitem", basis="own_data", action="change"
    ).exists()
    # The worker's plan page shows it done.
    f.log_in(client, alice)
    plan_page = client.get(reverse("meetings:plan", args=[world["held"].pk])).content.decode()
    assert "Hakee asumistukea" in plan_page


def test_only_their_own_tasks_can_be_marked(client, world):
    kela_item = world["plan"].items.get(owner__kind="kela_contact")
    own_sign_in(client, world["held"].youth)
    assert client.post(reverse("own:item_done", args=[kela_item.pk])).status_code == 404
    kela_item.refresh_from_db()
    assert kela_item.status == ActionItem.Status.OPEN


def test_i_need_help_tells_the_worker_once_a_day(client, world, alice):
    mine = world["mine"]
    own_sign_in(client, world["held"].youth)
    response = client.post(reverse("own:item_help", args=[mine.pk]), follow=True)
    assert "Työntekijällesi on kerrottu" in response.content.decode()
    client.post(reverse("own:item_help", args=[mine.pk]))
    assert Notification.objects.filter(kind="own_help", recipient=alice).count() == 1
    note = mine.changes.get(field=ActionItemChange.Field.NOTE)
    assert note.changed_by is None
    f.log_in(client, alice)
    plan_page = client.get(reverse("meetings:plan", args=[world["held"].pk])).content.decode()
    assert "nuori:" in plan_page  # "1.12. nuori: …" in the task's history


def test_i_want_to_withdraw_is_a_request_the_worker_acts_on(client, world, alice, consent):
    own_sign_in(client, world["held"].youth)
    response = client.post(reverse("own:withdraw", args=[consent.pk]), follow=True)
    page = response.content.decode()
    assert "kirjaa peruutuksen" in page
    consent.refresh_from_db()
    assert consent.withdrawal_requested_at is not None
    assert consent.withdrawn_at is None  # the worker records it with them
    assert Notification.objects.filter(kind="own_withdrawal", recipient=alice).count() == 1
    assert "Pyysit perumaan tämän" in page
    f.log_in(client, alice)
    record = client.get(reverse("cases:detail", args=[consent.youth_id])).content.decode()
    assert "pyysi omalla sivullaan" in record


def test_who_has_processed_my_data(client, world, alice):
    youth = world["held"].youth
    f.log_in(client, alice)
    client.get(reverse("cases:detail", args=[youth.pk]))
    client.logout()
    own_sign_in(client, youth)
    client.get(reverse("own:page"))
    page = client.get(reverse("own:processed")).content.decode()
    assert alice.get_full_name() in page
    assert "Oman organisaation asiakas" in page  # why: basis in words
    assert "Sinä itse" in page  # their own page views
    assert "own_page" not in page and "youthclient" not in page  # no internal codes
    assert AccessLog.objects.filter(object_type="own_processed", basis="own_data").exists()


def test_the_page_and_report_are_read_with_constant_queries(
    client, world, alice, kela, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    youth = world["held"].youth
    own_sign_in(client, youth)
    with CaptureQueriesContext(connection) as page:
        client.get(reverse("own:page"))
    page_count = len(page)  # read now: each request empties the query log
    with CaptureQueriesContext(connection) as report:
        client.get(reverse("own:processed"))
    counts = page_count, len(report)
    # More meetings, tasks and accesses: the same number of queries.
    f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    owner = world["mine"].owner
    for n in range(3):
        ActionItem.objects.create(plan=world["plan"], owner=owner, what=f"Tehtävä {n}")
    f.log_in(client, alice)
    client.get(reverse("cases:detail", args=[youth.pk]))
    client.logout()
    own_sign_in(client, youth)
    with django_assert_num_queries(counts[0]):
        client.get(reverse("own:page"))
    with django_assert_num_queries(counts[1]):
        client.get(reverse("own:processed"))


def test_the_page_follows_a_withdrawn_consent_at_once(client, world, alice, consent):
    from cases.services import consent_withdraw

    own_sign_in(client, world["held"].youth)
    assert "Haluan perua tämän" in client.get(reverse("own:page")).content.decode()
    consent_withdraw(consent=consent, by=alice)
    page = client.get(reverse("own:page")).content.decode()
    assert "Sinulla ei ole voimassa olevia suostumuksia" in page


def test_sign_in_through_the_identity_provider_then_mark_done(client, idp, world):
    from .conftest import sign_in

    sign_in(client, idp)
    response = client.post(reverse("own:item_done", args=[world["mine"].pk]))
    assert response.status_code == 302
    world["mine"].refresh_from_db()
    assert world["mine"].status == "done"


def test_the_worker_reads_the_young_persons_requests_in_notifications(
    client, world, alice, consent
):
    mine = world["mine"]
    own_sign_in(client, world["held"].youth)
    client.post(reverse("own:item_help", args=[mine.pk]))
    client.post(reverse("own:item_done", args=[mine.pk]))
    client.post(reverse("own:withdraw", args=[consent.pk]))
    f.log_in(client, alice)
    page = client.get(reverse("notifications")).content.decode()
    name = world["held"].youth.first_name
    assert f"{name} kertoo omalla sivullaan tarvitsevansa apua" in page
    assert f"{name} merkitsi omalla sivullaan tehdyksi" in page
    assert f"{name} pyysi omalla sivullaan perumaan suostumuksen" in page


def test_the_requests_render_as_e_mails(client, world, alice, consent):
    from meetings.notifications import render

    mine = world["mine"]
    own_sign_in(client, world["held"].youth)
    client.post(reverse("own:item_help", args=[mine.pk]))
    client.post(reverse("own:item_done", args=[mine.pk]))
    client.post(reverse("own:withdraw", args=[consent.pk]))
    kinds = ["own_help", "own_item_done", "own_withdrawal"]
    for n in Notification.objects.filter(kind__in=kinds).order_by("kind"):
        message = render(n)
        assert message.to == [alice.email]
        assert world["held"].youth.first_name in message.body
    withdrawal = Notification.objects.get(kind="own_withdrawal")
    assert reverse("cases:detail", args=[consent.youth_id]) in render(withdrawal).body


def test_every_consent_scope_is_explained_in_plain_language():
    """A scope added to the consent needs its sentence on the young person's page too."""
    from cases.models import Consent
    from overview.own import SCOPE_PLAIN

    assert set(SCOPE_PLAIN) == set(Consent.Scope)
