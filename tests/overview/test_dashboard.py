"""The coordinators' dashboard on a small hand-made data set with known answers."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from kelayhteistyo.models import County
from meetings import services
from meetings.models import ActionItem, JointMeeting
from overview import aggregates, dashboard, figures, raw, rollups, suppression, tasks
from overview.models import DashboardSnapshot
from tests import factories as f


def rows(response, key):
    (figure,) = [x for x in response.context["figures"] if x.key == key]
    return figure.rows


@pytest.fixture
def client_as(client_as):
    """A client whose every GET comes after the beat task brought the dashboard's summary rows
    up to date (the data of these tests is made between the requests). `get_only` reads
    without it, for counting the page's own queries."""

    def make(user):
        client = client_as(user)
        if hasattr(client, "get_only"):  # the same test client, logged in as another user
            return client
        client.get_only = client.get

        def get(*args, **kwargs):
            rollups.rollups_refresh()
            return client.get_only(*args, **kwargs)

        client.get = get
        return client

    return make


def refresh_dashboards():
    rollups.rollups_refresh()
    return tasks.refresh_dashboards()


@pytest.fixture
def national(db):
    """A coordinator of a national project: no county, sees everything."""
    return f.CoordinatorFactory(organisation__county=None)


def held_meetings(n, *, organisation, kela, days_to_meeting=5, group="aftercare"):
    meetings = []
    worker = f.WorkerFactory(organisation=organisation)
    for _ in range(n):
        youth = f.YouthFactory(
            organisation=organisation, responsible_worker=worker, client_group=group
        )
        f.ConsentFactory(youth=youth, recorded_by=worker)
        meeting = f.held_meeting(youth=youth, organiser=worker, kela=kela)
        # The invitation was sent `days_to_meeting` days before the meeting.
        JointMeeting.objects.filter(pk=meeting.pk).update(
            invited_at=meeting.starts_at - datetime.timedelta(days=days_to_meeting)
        )
        meetings.append(meeting)
    return meetings


def test_counts_of_young_people_and_meetings_with_small_cells_suppressed(client_as, national, kela):
    held_meetings(6, organisation=f.OrganisationFactory(), kela=kela)
    held_meetings(2, organisation=f.OrganisationFactory(), kela=kela, group="unaccompanied")
    response = client_as(national).get(reverse("dashboard"))
    youth = [count for _group, count in rows(response, "youth")]
    assert youth == [6, "< 5"]  # aftercare 6; unaccompanied 2, suppressed
    (invitations,) = rows(response, "invitations")
    assert invitations[:3] == (8, 8, 8) and invitations[3] == "100 %"


def test_speed_is_the_median_and_90th_percentile_of_days(client_as, national, kela):
    org = f.OrganisationFactory()
    held_meetings(5, organisation=org, kela=kela, days_to_meeting=4)
    held_meetings(5, organisation=org, kela=kela, days_to_meeting=10)
    (speed,) = rows(client_as(national).get(reverse("dashboard")), "speed")
    assert speed[0] == 10
    assert speed[1] == 7.0  # between 4 and 10
    assert speed[2] == 10.0


def test_action_items_by_owner_and_state(client_as, national, kela):
    meetings = held_meetings(1, organisation=f.OrganisationFactory(), kela=kela)
    meeting = meetings[0]
    plan = services.plan_save(
        meeting=meeting, fields={"summary": "x"}, version=None, by=meeting.organiser
    )
    owner = meeting.participants.get(kind="young_person")
    today = timezone.localdate()
    now = timezone.now()
    specs = (
        [("done", today + datetime.timedelta(days=3), now)] * 5  # done on time
        + [("open", today - datetime.timedelta(days=2), None)] * 6  # overdue
        + [("open", None, None)] * 5  # open, no due date
        + [("open", today + datetime.timedelta(days=10), None)] * 10
    )
    items = ActionItem.objects.bulk_create(
        ActionItem(plan=plan, owner=owner, what="x", status=s, due_date=d, done_at=t)
        for s, d, t in specs
    )
    # Of the last ten, five are moved to a later date (still open) and five cancelled.
    for item in items[-10:-5]:
        services.action_item_edit(
            item=item,
            what="x",
            owner=None,
            due_date=today + datetime.timedelta(days=20),
            note="odottaa päätöstä",
            version=item.version,
            by=meeting.organiser,
        )
    for item in items[-5:]:
        services.action_item_cancel(item=item, reason="ei tarpeen", by=meeting.organiser)
    (young,) = rows(client_as(national).get(reverse("dashboard")), "items")
    # Done on time, done late, cancelled, overdue, open; and moved (also open, counted apart).
    assert young[1:] == (5, 0, 5, 6, 10, 5)


def test_a_county_coordinator_sees_only_their_county(client_as, coordinator, national, kela):
    other = f.OrganisationFactory(county=f.county("kanta-hame"))
    held_meetings(5, organisation=other, kela=kela)
    assert rows(client_as(coordinator).get(reverse("dashboard")), "youth") == []
    assert rows(client_as(national).get(reverse("dashboard")), "youth") != []


def test_bad_filters_are_explained_and_the_view_is_shown_unfiltered(client_as, national):
    response = client_as(national).get(
        reverse("dashboard"), {"start": "2026-12-01", "end": "2026-01-01", "county": "999999"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["county"] and form.errors["start"]


@pytest.mark.parametrize("name", ["dashboard", "feedback:results", "feedback:comments"])
@pytest.mark.parametrize("dates", [{"start": "0001-01-01"}, {"end": "9999-12-31"}])
def test_dates_far_off_are_explained_not_an_error(client_as, national, name, dates):
    response = client_as(national).get(reverse(name), dates)
    assert response.status_code == 200
    (field,) = dates
    assert response.context["form"].errors[field] == [
        "Valitse päivämäärä väliltä 1.1.2000 ja 31.12.2099."
    ]


def test_with_bad_filters_the_csv_is_refused_and_the_links_carry_no_filters(client_as, national):
    client = client_as(national)
    bad = {"start": "2026-12-01", "end": "2026-01-01"}
    response = client.get(reverse("dashboard"), {**bad, "csv": "meetings"})
    assert response.status_code == 400
    assert "Korjaa ne" in response.content.decode()
    page = client.get(reverse("dashboard"), bad).content.decode()
    assert 'href="?csv=meetings"' in page  # the figures shown: unfiltered
    good = client.get(
        reverse("dashboard"), {"start": "2026-01-01", "end": "2026-06-30", "csv": "meetings"}
    )
    assert good.status_code == 200
    assert good["Content-Disposition"].endswith('"yhteistyo-meetings-20260101-20260630.csv"')


def test_the_csv_neutralises_formulas():
    assert figures._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert figures._cell("-5") == "'-5" and figures._cell("5") == "5"


def test_each_figure_downloads_as_csv(client_as, national, kela):
    held_meetings(5, organisation=f.OrganisationFactory(), kela=kela)
    response = client_as(national).get(reverse("dashboard"), {"csv": "invitations"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Kutsuttu;Vastattu") and lines[1].startswith("5;5;5")


def test_the_dashboard_has_a_constant_number_of_queries(
    client_as, national, kela, django_assert_num_queries
):
    client = client_as(national)
    held_meetings(1, organisation=f.OrganisationFactory(), kela=kela)
    rollups.rollups_refresh()
    with CaptureQueriesContext(connection) as few:
        client.get_only(reverse("dashboard"), {"client_group": "aftercare"})
    held_meetings(6, organisation=f.OrganisationFactory(), kela=kela)
    rollups.rollups_refresh()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get_only(reverse("dashboard"), {"client_group": "aftercare"})


def test_percentiles_of_fewer_than_five_meetings_are_suppressed(kela):
    meetings = JointMeeting.objects.all()

    def speed_days(meetings):
        return dashboard.speed_shown(raw.speed_raw(meetings))

    assert speed_days(meetings) == {"n": 0, "median": "–", "p90": "–"}
    org = f.OrganisationFactory()
    held_meetings(3, organisation=org, kela=kela, days_to_meeting=2)
    assert speed_days(meetings) == {
        "n": 3,
        "median": "ei näytetä (< 5)",
        "p90": "ei näytetä (< 5)",
    }
    held_meetings(2, organisation=org, kela=kela, days_to_meeting=12)
    assert speed_days(meetings) == {"n": 5, "median": 2.0, "p90": 12.0}


def test_the_quick_start_computes_the_same_percentiles_as_postgresql():
    """SQLite has no percentile_cont: the quick start interpolates the same way."""
    values = [1.0, 2.0, 4.0, 10.0]
    assert raw._quantile(values, 0.5) == 3.0
    assert raw._quantile(values, 0.9) == pytest.approx(8.2)
    assert raw._quantile([5.0], 0.9) == 5.0 and raw._quantile([], 0.5) is None


def test_percentiles_from_a_summed_histogram_equal_those_of_the_values():
    """The rollups keep day counts as a histogram (value → how many): the median and the 90th
    percentile from it are those of the values it stands for, interpolation included."""
    histogram = {1: 1, 2: 1, 4: 1, 10: 1}
    assert aggregates.quantile_of_histogram(histogram, 0.5) == 3.0
    assert aggregates.quantile_of_histogram(histogram, 0.9) == pytest.approx(8.2)
    histogram = {3: 4, 7: 1, 30: 2}
    values = [3, 3, 3, 3, 7, 30, 30]
    for fraction in (0.5, 0.9):
        assert aggregates.quantile_of_histogram(histogram, fraction) == raw._quantile(
            values, fraction
        )
    assert aggregates.quantile_of_histogram({}, 0.5) is None


def test_charts_get_their_data_with_suppressed_cells_left_out(client_as, national, kela):
    held_meetings(6, organisation=f.OrganisationFactory(), kela=kela)
    response = client_as(national).get(reverse("dashboard"))
    assert 'id="chart-meetings"' in response.content.decode()
    (meetings,) = [x for x in response.context["figures"] if x.key == "meetings"]
    face_to_face = meetings.chart["datasets"][0]
    assert sum(v for v in face_to_face["data"] if v) + face_to_face["data"].count(None) >= 1
    assert all(v is None or v >= 5 or v == 0 for v in face_to_face["data"])


def test_new_young_people_are_counted_in_the_month_of_their_first_meeting(
    client_as, national, kela
):
    org = f.OrganisationFactory()
    meetings = held_meetings(5, organisation=org, kela=kela)
    # One of them had met before, long before the period: not new now.
    earlier = f.held_meeting(youth=meetings[0].youth, organiser=meetings[0].organiser, kela=kela)
    JointMeeting.objects.filter(pk=earlier.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=500)
    )
    page = client_as(national).get(reverse("dashboard"))
    new = rows(page, "new")
    assert [count for _month, count in new] == ["< 5"]  # 4 new young people
    # Nothing to draw: the page says why instead of an empty chart (issue 22.9).
    (figure,) = [fig for fig in page.context["figures"] if fig.key == "new"]
    assert figure.too_few_to_draw
    assert 'data-chart="chart-new"' not in page.content.decode()
    assert "liian vähän piirrettäväksi" in page.content.decode()
    held_meetings(2, organisation=org, kela=kela)
    new = rows(client_as(national).get(reverse("dashboard")), "new")
    assert sum(c for _m, c in new if isinstance(c, int)) == 6


def test_seed_scale_makes_a_consistent_practice_the_dashboard_reads(client_as, national):
    from django.core.management import call_command

    from cases.models import YouthClient
    from feedback.models import Answer, LinkCount, Response
    from meetings.models import FollowUpPlan, Participant

    call_command("seed_scale", youth=40, force=True, stdout=io.StringIO())
    assert YouthClient.objects.count() == 40
    meetings = JointMeeting.objects.all()
    assert 40 <= meetings.count() <= 160
    assert Participant.objects.count() == 3 * meetings.count()
    assert not meetings.exclude(organisation_id=F("youth__organisation_id")).exists()
    with_plan = meetings.filter(status__in=JointMeeting.WITH_PLAN).count()
    assert FollowUpPlan.objects.count() == with_plan
    assert ActionItem.objects.count() >= 4 * with_plan
    # Used links are gone (issue 15.4); the counters of links sent stay for the response rates.
    assert 0 < Response.objects.count() < sum(LinkCount.objects.values_list("n", flat=True))
    assert Answer.objects.exists()
    response = client_as(national).get(reverse("dashboard"))
    assert response.status_code == 200
    assert sum(n for _group, n in rows(response, "youth") if isinstance(n, int)) > 0


def test_the_period_and_the_months_follow_finnish_time_at_midnight(client_as, national, kela):
    """00:30 on 1 October in Helsinki is still 30 September in UTC; 00:30 on 1 November is
    31 October in UTC. Both belong to the Finnish day and month."""
    helsinki = zoneinfo.ZoneInfo("Europe/Helsinki")
    moments = {
        datetime.datetime(2026, 9, 30, 23, 30, tzinfo=helsinki): "before",
        datetime.datetime(2026, 10, 1, 0, 30, tzinfo=helsinki): "first day",
        datetime.datetime(2026, 10, 31, 23, 30, tzinfo=helsinki): "last day",
        datetime.datetime(2026, 11, 1, 0, 30, tzinfo=helsinki): "after",
    }
    org = f.OrganisationFactory()
    for moment in moments:
        for meeting in held_meetings(5, organisation=org, kela=kela):
            JointMeeting.objects.filter(pk=meeting.pk).update(
                starts_at=moment, invited_at=moment - datetime.timedelta(days=3)
            )
    october = {"start": "2026-10-01", "end": "2026-10-31"}
    response = client_as(national).get(reverse("dashboard"), october)
    assert rows(response, "meetings") == [("lokakuu 2026", 10, 0, 0, 0, 0)]
    (speed,) = rows(response, "speed")
    assert speed == (10, 3.0, 3.0, 0)


def youth_count(response) -> int:
    return sum(n for _group, n in rows(response, "youth") if isinstance(n, int))


def test_the_default_view_is_computed_ahead_and_says_when(client_as, national, kela):
    """The view a coordinator opens comes from the snapshot of the beat task (one query instead
    of one per figure); the page says how old its figures are. A filtered view is computed
    when asked for."""
    org = f.OrganisationFactory()
    held_meetings(6, organisation=org, kela=kela)
    assert refresh_dashboards() == 1 + County.objects.count()  # the country, each county
    computed = timezone.localtime(DashboardSnapshot.objects.get(scope="").computed_at)
    held_meetings(5, organisation=org, kela=kela)  # after the snapshot
    client = client_as(national)

    response = client.get(reverse("dashboard"))
    assert youth_count(response) == 6
    assert response.context["as_of"] is not None
    assert f"Luvut klo {computed:%H:%M}." in response.content.decode()
    with CaptureQueriesContext(connection) as snapshot:
        client.get_only(reverse("dashboard"))
    # The same view asked for with the form's empty fields is the same view.
    empty = {"start": "", "end": "", "county": "", "organisation": "", "modality": ""}
    assert youth_count(client.get(reverse("dashboard"), empty)) == 6

    filtered = client.get(reverse("dashboard"), {"client_group": "aftercare"})
    assert youth_count(filtered) == 11 and filtered.context["as_of"] is None
    assert "Luvut klo" not in filtered.content.decode()
    assert "Luvut laskettiin nyt" in filtered.content.decode()  # issue 22.9
    with CaptureQueriesContext(connection) as live:
        client.get_only(reverse("dashboard"), {"client_group": "aftercare"})
    # One read of the snapshot instead of the five queries over the summary rows, the count
    # of today's transitions (issue 17) and the three Kela figures (issue 18).
    assert len(live.captured_queries) - len(snapshot.captured_queries) == 9 - 1

    # The CSV of the default view holds the figures shown on the page.
    csv = client.get(reverse("dashboard"), {"csv": "invitations"}).content.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("6;6;6")


def test_an_old_snapshot_is_not_shown(client_as, national, kela):
    org = f.OrganisationFactory()
    held_meetings(6, organisation=org, kela=kela)
    refresh_dashboards()
    held_meetings(5, organisation=org, kela=kela)
    client = client_as(national)
    assert youth_count(client.get(reverse("dashboard"))) == 6
    # The worker has stopped: after 15 minutes the page computes its figures itself.
    with time_machine.travel(datetime.timedelta(minutes=16)):
        response = client.get(reverse("dashboard"))
    assert youth_count(response) == 11 and response.context["as_of"] is None
    # And the next day (overdue items and the period depend on the day), the same.
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    with time_machine.travel(tomorrow.replace(hour=0, minute=5)):
        client = client_as(national)  # a new day, a new session
        assert youth_count(client.get(reverse("dashboard"))) == 11


def test_a_county_coordinator_gets_the_snapshot_of_their_county(
    client_as, coordinator, national, kela
):
    held_meetings(6, organisation=f.OrganisationFactory(county=f.county("kanta-hame")), kela=kela)
    held_meetings(
        5, organisation=f.OrganisationFactory(county=coordinator.organisation.county), kela=kela
    )
    refresh_dashboards()
    assert youth_count(client_as(coordinator).get(reverse("dashboard"))) == 5
    assert youth_count(client_as(national).get(reverse("dashboard"))) == 11


def test_the_snapshot_is_shown_in_the_users_language(client_as, national, kela):
    held_meetings(6, organisation=f.OrganisationFactory(), kela=kela)
    refresh_dashboards()
    national.preferred_language = "sv"
    national.save()
    response = client_as(national).get(reverse("dashboard"))
    assert response.context["as_of"] is not None
    with translation.override("sv"):
        months = {
            date_format(timezone.localtime(m.starts_at), "YEAR_MONTH_FORMAT")
            for m in JointMeeting.objects.all()
        }
    assert {label for label, *_counts in rows(response, "meetings")} == months
    assert rows(response, "youth") == [("Eftervård inom barnskyddet", 6)]
    assert "Siffror från" in response.content.decode()


def test_a_share_beside_a_suppressed_count_is_withheld(client_as, national, kela):
    """4 plans of 5 meetings shown as 80 % would give away the hidden "< 5"."""
    meetings = held_meetings(5, organisation=f.OrganisationFactory(), kela=kela)
    for meeting in meetings[:4]:
        services.plan_save(
            meeting=meeting, fields={"summary": "x"}, version=None, by=meeting.organiser
        )
    (plans,) = rows(client_as(national).get(reverse("dashboard")), "plans")
    assert plans[:3] == (5, "< 5", "ei näytetä (< 5)")
    assert suppression.share_beside(0, 5) == "0 %" and suppression.share_beside(5, 10) == "50 %"
