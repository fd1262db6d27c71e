"""A notification shows its content only while its reader may see what it is about (issue
15.3): after the consent is withdrawn, Kela's list keeps a neutral line, not the young person's
name, the meeting time or the task."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.services import consent_withdraw
from kelayhteistyo.models import AccessLog
from meetings import services
from meetings.models import Notification
from tests import factories as f


def test_after_withdrawal_kelas_notifications_show_nothing_of_the_young_person(
    client_as, alice, kela, meeting, consent
):
    assert Notification.objects.filter(recipient=kela).exists()
    consent_withdraw(consent=consent, by=alice)
    logged_before = AccessLog.objects.filter(user=kela).count()
    page = client_as(kela).get(reverse("notifications"))
    text = page.content.decode()
    assert meeting.youth.first_name not in text
    assert "ei ole enää saatavilla" in text  # the neutral line, in Finnish
    assert all(row["url"] is None for row in page.context["rows"])
    assert AccessLog.objects.filter(user=kela).count() == logged_before  # nothing shown


def test_the_worker_still_sees_the_content_of_their_own_young_persons_notifications(
    client_as, alice, kela, meeting, consent
):
    services.invitation_respond(
        participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
    )
    consent_withdraw(consent=consent, by=alice)
    rows = client_as(alice).get(reverse("notifications")).context["rows"]
    assert rows and all(row["url"] for row in rows)
    assert meeting.youth.first_name in rows[0]["body"]


def test_the_list_takes_as_many_queries_for_a_full_page_as_for_one_notification(
    client_as, alice, kela, django_assert_num_queries
):
    """Each text names Kela's contact person and the young person: read for the whole page at
    once, not per row (the page shows at most 30)."""

    def answered(n):
        for _ in range(n):
            youth = f.YouthFactory(organisation=alice.organisation, responsible_worker=alice)
            f.ConsentFactory(youth=youth, recorded_by=alice)
            meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
            services.invitation_respond(
                participant=f.kela_participant(meeting, kela), answer="accepted", by=kela
            )

    client = client_as(alice)
    answered(1)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(reverse("notifications")).context["rows"]) == 1
    answered(12)
    with django_assert_num_queries(len(one)):
        page = client.get(reverse("notifications"))
    assert len(page.context["rows"]) == 13
    # Each names its young person (by first name): read for all rows at once too.
    assert all(row["n"].meeting.youth.first_name in row["body"] for row in page.context["rows"])
