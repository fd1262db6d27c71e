"""The access log: refused attempts are written too, and on PostgreSQL rows cannot be changed."""

import os

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from kelayhteistyo.models import AccessLog

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="the append-only trigger exists on PostgreSQL (CI runs it there)",
)


def test_an_outsiders_attempt_is_refused_and_written_in_the_young_persons_log(
    client_as, bob, kela_other, youth, meeting
):
    assert client_as(bob).get(reverse("cases:detail", args=[youth.pk])).status_code == 404
    assert (
        client_as(kela_other).get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    )
    denied = AccessLog.objects.filter(youth=youth, action=AccessLog.Action.DENIED)
    assert sorted(denied.values_list("user__first_name", "object_type")) == [
        ("Bob", "youthclient"),
        ("Jukka", "jointmeeting"),
    ]
    assert set(denied.values_list("basis", flat=True)) == {AccessLog.Basis.NONE}


def test_an_id_that_does_not_exist_is_a_plain_404(client_as, bob):
    url = reverse("cases:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert client_as(bob).get(url).status_code == 404
    assert not AccessLog.objects.exists()


@needs_postgresql
def test_the_database_refuses_to_change_or_delete_a_log_row(client_as, alice, youth):
    assert connection.vendor == "postgresql", "CI must run this on PostgreSQL"
    client_as(alice).get(reverse("cases:detail", args=[youth.pk]))
    row = AccessLog.objects.get()
    for change in (
        lambda: AccessLog.objects.filter(pk=row.pk).update(action=AccessLog.Action.CHANGE),
        lambda: AccessLog.objects.filter(pk=row.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    assert AccessLog.objects.get() == row


def test_the_report_lists_who_processed_the_data_and_on_what_basis(
    client_as, alice, kela, youth, meeting, django_assert_max_num_queries
):
    client_as(kela).get(reverse("meetings:detail", args=[meeting.pk]))
    client = client_as(alice)
    client.get(reverse("cases:detail", args=[youth.pk]))
    client.get(reverse("cases:detail", args=[youth.pk]))
    client.cookies["django_language"] = "en"
    alice.preferred_language = "en"
    alice.save()
    response = client.get(reverse("cases:access_report", args=[youth.pk]))
    page = response.content.decode()
    assert "Kaisa" in page and "Invited to a joint meeting, with consent" in page
    assert "Alice" in page and "Client of own organisation" in page
    rows = response.context["rows"]
    own = next(
        r for r in rows if r.who.startswith("Alice") and r.what == "the young person's record"
    )
    assert own.times == 2
    # Producing the report is itself written in the log, as such (not as reading the record).
    reads = AccessLog.objects.filter(user=alice, action="read", object_type="youthclient")
    assert reads.count() == 2
    assert AccessLog.objects.filter(user=alice, object_type="accessreport").count() == 1


def test_the_report_period_defaults_to_two_years_and_can_be_chosen(client_as, alice, youth):
    response = client_as(alice).get(reverse("cases:access_report", args=[youth.pk]))
    period = response.context["period"]
    assert (period["end"] - period["start"]).days in (730, 731)
    response = client_as(alice).get(
        reverse("cases:access_report", args=[youth.pk]),
        {"start": "2030-01-01", "end": "2029-01-01"},
    )
    assert response.context["form"].errors["start"]


def test_all_of_a_young_persons_data_can_be_exported_for_a_subject_access_request(
    client_as, alice, kela, youth, meeting
):
    import json

    response = client_as(alice).get(reverse("cases:data_export", args=[youth.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["schema"] == "yhteistyo-subject-access/1"
    assert data["young_person"]["first_name"] == youth.first_name
    assert [m["id"] for m in data["meetings"]] == [str(meeting.pk)]
    assert {p["kind"] for p in data["participants"]} >= {"kela_contact", "young_person"}
    assert len(data["consents"]) == 1
    assert AccessLog.objects.filter(user=alice, action=AccessLog.Action.EXPORT).count() == 1


def test_each_young_person_shown_in_the_list_is_a_read_of_their_data(
    client_as, alice, youth, django_assert_num_queries
):
    from tests import factories as f

    other = f.YouthFactory(organisation=alice.organisation, first_name="Eemeli")
    client = client_as(alice)
    client.get(reverse("cases:list"))  # the plain list shows both (issue 15.6)
    assert set(AccessLog.objects.values_list("youth_id", "object_type")) == {
        (youth.pk, "youth_list"),
        (other.pk, "youth_list"),
    }
    client.get(reverse("cases:list"), {"q": youth.first_name})  # a search shows only matches
    assert AccessLog.objects.filter(youth=youth, action="read").count() == 2
    assert AccessLog.objects.filter(youth=other).count() == 1
    for _ in range(5):
        f.YouthFactory(organisation=alice.organisation, first_name=youth.first_name)
    with django_assert_num_queries(9):  # the list's queries and one insert for all the rows
        client.get(reverse("cases:list"), {"q": youth.first_name})
    assert AccessLog.objects.count() == 2 + 1 + 6


def test_the_report_downloads_as_a_pdf_that_reads_back(client_as, alice, kela, youth, meeting):
    from io import BytesIO

    from pypdf import PdfReader

    client_as(kela).get(reverse("meetings:detail", args=[meeting.pk]))
    response = client_as(alice).get(
        reverse("cases:access_report", args=[youth.pk]), {"format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.content)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert youth.full_name in text and kela.get_full_name() in text
    assert "Kutsuttu yhteiseen tapaamiseen suostumuksella" in text
    assert alice.get_full_name() in text  # who produced it
    assert "1 / 1" in text  # the page number
    assert AccessLog.objects.filter(user=alice, action=AccessLog.Action.EXPORT).exists()


def test_the_pdf_renderer_fetches_nothing_but_the_apps_static_files():
    from kelayhteistyo.pdf import ForbiddenResource, StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(allowed_protocols={"file"})
    for url in ("file:///etc/passwd", "https://example.com/x.png", "static:///../../etc/passwd"):
        with pytest.raises(ForbiddenResource):
            fetcher.fetch(url)
    response = fetcher.fetch("static:///css/print.css")
    assert b"@page" in response.read()


def test_all_the_data_also_downloads_as_a_pdf(client_as, alice, youth, meeting):
    from io import BytesIO

    from pypdf import PdfReader

    response = client_as(alice).get(
        reverse("cases:data_export", args=[youth.pk]), {"format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.content)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert youth.full_name in text and meeting.goal in text
    # For a person to read: labels and names in their language, not field names, codes or ids.
    assert "Tapaamisen tavoite" in text and "Järjestäjä " + alice.get_full_name() in text
    assert "Tapaamistapa Kasvokkain" in text and "Opintotuki" in text
    for code in ("first_name", "face_to_face", "student_aid", "scope_kela_meeting", "True"):
        assert code not in text


def test_the_readable_export_has_a_constant_number_of_queries(
    client_as, alice, youth, meeting, kela
):
    from django.test.utils import CaptureQueriesContext

    from tests import factories as f

    client = client_as(alice)
    url = reverse("cases:data_export", args=[youth.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"format": "pdf"}).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for _ in range(3):  # more meetings, participants and access log rows
        f.invited_meeting(youth=youth, organiser=alice, kela=kela)
        client.get(reverse("cases:detail", args=[youth.pk]))
    assert few > 0 and queries() == few


def test_the_subject_access_export_carries_the_notes_on_the_tasks(client_as, alice, kela, youth):
    """Progress notes and moved dates may tell about the young person: they are their data."""
    import json

    from meetings import services
    from meetings.models import ActionItem
    from tests import factories as f

    f.ConsentFactory(youth=youth, recorded_by=alice)
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    plan = services.plan_save(meeting=held, fields={"summary": "x"}, version=None, by=alice)
    item = ActionItem.objects.create(
        plan=plan, owner=f.kela_participant(held, kela), what="Soittaa"
    )
    services.action_item_note(item=item, note="Odottaa päätöstä", by=alice)
    response = client_as(alice).get(reverse("cases:data_export", args=[youth.pk]))
    data = json.loads(response.content)
    changes = [json.dumps(c, ensure_ascii=False) for c in data["action_item_changes"]]
    assert any("Odottaa päätöstä" in change for change in changes)
