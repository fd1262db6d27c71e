"""Every page that shows a young person's data writes the access log (issue 15.6): forms and
single pages one row, lists and home pages one row per young person shown; a Kela contact's
read is a disclosure to Kela; producing the access report is not reading the record."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.reports import AccessReportRow
from kelayhteistyo.models import AccessLog
from meetings import services
from tests import factories as f


def rows(**lookup):
    return list(AccessLog.objects.filter(**lookup).values_list("youth_id", "action", "object_type"))


@pytest.mark.parametrize(
    ("name", "object_type"),
    [
        ("cases:edit", "youthclient"),
        ("cases:consent_create", "youthclient"),
        ("meetings:create", "youthclient"),
    ],
)
def test_a_form_that_shows_the_record_is_a_read(client_as, alice, youth, name, object_type):
    assert client_as(alice).get(reverse(name, args=[youth.pk])).status_code == 200
    assert rows(user=alice) == [(youth.pk, "read", object_type)]


def test_the_meeting_edit_and_review_pages_are_reads(client_as, alice, kela, youth, consent):
    meeting = f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    client = client_as(alice)
    client.get(reverse("meetings:edit", args=[meeting.pk]))
    assert rows(user=alice, action="read") == [(youth.pk, "read", "jointmeeting")]
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    services.plan_save(
        meeting=held,
        fields={"summary": "x", "review_date": timezone.localdate() + datetime.timedelta(7)},
        version=None,
        by=alice,
    )
    client.get(reverse("meetings:review", args=[held.pk]))
    assert (youth.pk, "read", "followupplan") in rows(user=alice)


def test_the_meeting_list_logs_each_young_person_shown_once(client_as, alice, kela, youth, consent):
    other = f.YouthFactory(organisation=alice.organisation)
    f.ConsentFactory(youth=other, recorded_by=alice)
    for person in (youth, youth, other):
        f.invited_meeting(youth=person, organiser=alice, kela=kela)
    client_as(alice).get(reverse("meetings:list"))
    assert sorted(rows(user=alice, action="read")) == sorted(
        [(youth.pk, "read", "meeting_list"), (other.pk, "read", "meeting_list")]
    )
    client_as(kela).get(reverse("meetings:list"))
    kela_rows = AccessLog.objects.filter(user=kela, object_type="meeting_list")
    assert {(r.youth_id, r.action, r.basis) for r in kela_rows} == {
        (youth.pk, "disclose", "consent"),
        (other.pk, "disclose", "consent"),
    }


def test_home_pages_log_the_young_people_they_show(client_as, alice, kela, youth, consent):
    f.invited_meeting(youth=youth, organiser=alice, kela=kela)
    client_as(alice).get("/")
    assert rows(user=alice, action="read") == [(youth.pk, "read", "home")]
    client_as(kela).get("/")
    assert rows(user=kela) == [(youth.pk, "disclose", "home")]


def test_notifications_that_show_a_young_persons_data_are_logged(client_as, kela, meeting):
    page = client_as(kela).get(reverse("notifications"))
    assert meeting.youth.first_name in page.content.decode()
    assert rows(user=kela, object_type="notifications") == [
        (meeting.youth_id, "disclose", "notifications")
    ]


def test_the_access_report_is_logged_as_a_report(client_as, alice, youth):
    client_as(alice).get(reverse("cases:access_report", args=[youth.pk]))
    assert rows(user=alice) == [(youth.pk, "read", "accessreport")]
    report = client_as(alice).get(reverse("cases:access_report", args=[youth.pk]))
    assert [r.what for r in report.context["rows"]] == [AccessReportRow.OBJECTS["accessreport"]]
    assert "raportti siitä, kuka on käsitellyt tietoja" in report.content.decode()


def test_repeated_refusals_are_written_once_an_hour(client_as, bob, youth):
    """Guessing the addresses of another organisation's young person cannot fill their report
    (issue 15.11): the refusals of one user for one young person are written once an hour."""
    client = client_as(bob)
    for _ in range(20):
        assert client.get(reverse("cases:detail", args=[youth.pk])).status_code == 404
    assert AccessLog.objects.filter(user=bob, youth=youth, action="denied").count() == 1
    with time_machine.travel(datetime.timedelta(minutes=61)):
        client_as(bob).get(reverse("cases:edit", args=[youth.pk]))
    assert AccessLog.objects.filter(user=bob, youth=youth, action="denied").count() == 2
