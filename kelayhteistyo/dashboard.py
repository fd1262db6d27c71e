"""The coordinators' dashboard: aggregates only, computed by the database, one query per figure.

Scope: a coordinator whose organisation has a county sees that county; one without a county
(a national project or Kela) sees the whole country. Counts of 1–4 are suppressed ("< 5") so that
nobody can be recognised, and so are rates whose denominator is under 5.
"""

import csv
import datetime

from django import forms
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import TruncMonth
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cases.models import YouthClient
from meetings.models import (
    ActionItem,
    FollowUpPlan,
    JointMeeting,
    Modality,
    Participant,
    PlanExport,
)

from .forms import DateInput, NamesInUserLanguageMixin
from .models import County, DashboardSnapshot, Organisation, User
from .views import role_required

SMALL = 5
Status = JointMeeting.Status
HELD = [Status.HELD, Status.PLAN_RECORDED, Status.REVIEWED]


class Filters(NamesInUserLanguageMixin, forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    county = forms.ModelChoiceField(
        label=gettext_lazy("Wellbeing services county"),
        queryset=County.objects.all(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.AFTERCARE),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    client_group = forms.ChoiceField(
        label=gettext_lazy("Client group"),
        choices=[("", gettext_lazy("All")), *YouthClient.ClientGroup.choices],
        required=False,
    )
    modality = forms.ChoiceField(
        label=gettext_lazy("Modality"),
        choices=[("", gettext_lazy("All")), *Modality.choices],
        required=False,
    )

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        if county is not None:  # a county coordinator: only their county
            self.fields["county"].queryset = County.objects.filter(pk=county.pk)
            self.fields["organisation"].queryset = self.fields["organisation"].queryset.filter(
                county=county
            )

    # Dates outside these bounds are typing mistakes (a year 0001 or 9999 from the date picker),
    # and the period's arithmetic would overflow on them.
    EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)

    def _within_bounds(self, day):
        if day and not self.EARLIEST <= day <= self.LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s.")
                % {
                    "earliest": date_format(self.EARLIEST, "SHORT_DATE_FORMAT"),
                    "latest": date_format(self.LATEST, "SHORT_DATE_FORMAT"),
                }
            )
        return day

    def clean_start(self):
        return self._within_bounds(self.cleaned_data["start"])

    def clean_end(self):
        return self._within_bounds(self.cleaned_data["end"])

    def clean(self):
        cleaned = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        today = timezone.localdate()
        cleaned["end"] = cleaned.get("end") or today
        cleaned["start"] = cleaned.get("start") or cleaned["end"] - datetime.timedelta(days=365)
        if cleaned["start"] > cleaned["end"]:
            self.add_error("start", _("The start of the period is after its end."))
        return cleaned


def scope_county(user: User):
    return user.organisation.county if user.organisation_id else None


def meetings_in_scope(county, filters: dict):
    """Meetings that were sent to Kela (not drafts), in a coordinator's scope (their county, or
    None: the whole country) and filters."""
    meetings = JointMeeting.objects.exclude(status=Status.DRAFT)
    if county is not None:
        meetings = meetings.filter(organisation__county=county)
    start, end = filters.get("start"), filters.get("end")
    if start and end:  # whole days in Finnish time, as bounds an index can use
        meetings = meetings.filter(
            starts_at__gte=day_start(start), starts_at__lt=day_start(end + datetime.timedelta(1))
        )
    for field, lookup in (
        ("county", "organisation__county"),
        ("organisation", "organisation"),
        ("client_group", "youth__client_group"),
        ("modality", "modality"),
    ):
        if filters.get(field):
            meetings = meetings.filter(**{lookup: filters[field]})
    return meetings


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def small(n):
    """A count as shown: 1–4 are suppressed."""
    return _("< 5") if 0 < n < SMALL else n


def too_few() -> str:
    """A share, average or time computed from 1–4 cases: withheld, and said so in words (a bare
    "< 5" in a share column would read as "under 5 %")."""
    return _("not shown (< 5)")


def share(part, whole):
    if whole < SMALL or part is None:
        return too_few() if whole else "–"
    return f"{round(100 * part / whole)} %"


def share_beside(part, whole):
    """A share in a row that shows its part and whole as counts: withheld when the part shows
    as "< 5", which the share would give away (4 of 5 is 80 %)."""
    return too_few() if 0 < part < SMALL else share(part, whole)


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the percentile with interpolation, over a duration."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _quantile(values: list[float], fraction: float) -> float | None:
    """percentile_cont's interpolation, for SQLite."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


QUANTILES = {"median": 0.5, "p90": 0.9}


def speed_raw(meetings) -> dict:
    """How many meetings, and the median and 90th percentile of days from the invitation to the
    meeting. PostgreSQL computes them (at national scale the rows never leave the database);
    SQLite, in the quick start only, has no percentile_cont, so there they are computed here."""
    waited = ExpressionWrapper(F("starts_at") - F("invited_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        row = meetings.aggregate(
            n=Count("id"), **{q: Percentile(waited, fraction) for q, fraction in QUANTILES.items()}
        )
        return {"n": row["n"], **{q: row[q] and row[q].total_seconds() / 86400 for q in QUANTILES}}
    days = sorted(d.total_seconds() / 86400 for d in meetings.values_list(waited, flat=True))
    return {"n": len(days), **{q: _quantile(days, fraction) for q, fraction in QUANTILES.items()}}


def speed_shown(speed: dict) -> dict:
    """The days as shown: percentiles of fewer than 5 meetings are suppressed like counts."""
    n = speed["n"]
    if n == 0:
        return {"n": 0, "median": "–", "p90": "–"}
    if n < SMALL:
        return {"n": n, "median": too_few(), "p90": too_few()}
    return {"n": n, **{q: round(speed[q], 1) for q in QUANTILES}}


class Figure:
    """A table with a title and how it is counted; `chart` draws it too, from the first
    `series` columns after the label (all of them by default)."""

    def __init__(self, key, title, how, columns, rows, chart=False, series=None, across=False):
        self.key, self.title, self.how, self.columns, self.rows = key, title, how, columns, rows
        self.chart = self.chart_data(series or len(columns) - 1, across) if chart else None

    def chart_data(self, series: int, across: bool = False) -> dict:
        """A stacked bar chart of the table: one bar per row, one series per column.
        Suppressed cells ("< 5") are left out of the chart; the table beside it says why."""
        return {
            "across": across,  # bars across the page: for long labels such as questions
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {
                    "label": str(column),
                    "data": [row[i] if isinstance(row[i], int) else None for row in self.rows],
                }
                for i, column in enumerate(self.columns[1 : series + 1], start=1)
            ],
        }


def aggregates(county, filters: dict) -> dict:
    """Every number of the dashboard, computed by the database: one query per figure. Plain
    JSON (numbers, ISO months), so that a snapshot can keep it; `figures` puts it into words in
    the user's language."""
    from feedback.results import again_counts  # feedback builds on this module

    today = timezone.localdate()
    meetings = meetings_in_scope(county, filters)
    held = meetings.filter(status__in=HELD)
    plans = FollowUpPlan.objects.filter(meeting__in=meetings)
    not_cancelled = meetings.exclude(status=Status.CANCELLED)

    by_group = (
        not_cancelled.values("youth__client_group")
        .annotate(n=Count("youth", distinct=True))
        .order_by("youth__client_group")
    )
    # A young person is new in the month of their first meeting ever (not a draft, not
    # cancelled): a meeting of the period with no earlier one (an anti-join, not a lookup per
    # young person).
    earlier = JointMeeting.objects.filter(
        youth=OuterRef("youth"), starts_at__lt=OuterRef("starts_at")
    ).exclude(status__in=[Status.DRAFT, Status.CANCELLED])
    new_per_month = (
        not_cancelled.filter(~Exists(earlier))
        .annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(n=Count("youth", distinct=True))
        .order_by("month")
    )
    per_month = (
        meetings.annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(
            **{
                m: Count("id", filter=Q(modality=m) & ~Q(status=Status.CANCELLED))
                for m in Modality.values
            },
            cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        )
        .order_by("month")
    )
    invitations = Participant.objects.filter(
        meeting__in=meetings, kind=Participant.Kind.KELA_CONTACT
    ).aggregate(
        invited=Count("id"),
        answered=Count("id", filter=~Q(status=Participant.Status.PENDING)),
        accepted=Count("id", filter=Q(status=Participant.Status.ACCEPTED)),
        proposed=Count("id", filter=Q(proposed_start__isnull=False)),
    )
    items = (
        ActionItem.objects.filter(plan__in=plans)
        .values("owner__kind")
        .annotate(
            on_time=Count(
                "id",
                filter=Q(status="done")
                & (Q(due_date__isnull=True) | Q(done_at__date__lte=F("due_date"))),
            ),
            late=Count("id", filter=Q(status="done", done_at__date__gt=F("due_date"))),
            overdue=Count("id", filter=Q(status="open", due_date__lt=today)),
            open=Count(
                "id", filter=Q(status="open") & (Q(due_date__gte=today) | Q(due_date__isnull=True))
            ),
        )
        .order_by("owner__kind")
    )
    # Joined to their reviews (a plan may have several): every count is of distinct plans.
    reviews = plans.filter(review_date__isnull=False).aggregate(
        due=Count("id", filter=Q(review_date__lte=today), distinct=True),
        on_time=Count(
            "id",
            filter=Q(review_date__lte=today, reviews__held_on__lte=F("review_date")),
            distinct=True,
        ),
        overdue=Count(
            "id",
            filter=Q(review_date__lt=today, meeting__status=Status.PLAN_RECORDED),
            distinct=True,
        ),
        continues=Count("id", filter=Q(kela_cooperation="yes"), distinct=True),
        total=Count("id", distinct=True),
    )
    exported = PlanExport.objects.filter(
        plan__in=plans, variant=PlanExport.Variant.OFFICIAL
    ).aggregate(plans=Count("plan", distinct=True))
    return {
        "youth": [[r["youth__client_group"], r["n"]] for r in by_group],
        "new": [{**r, "month": _month(r["month"])} for r in new_per_month],
        "meetings": [{**r, "month": _month(r["month"])} for r in per_month],
        "invitations": invitations,
        "speed": speed_raw(not_cancelled.filter(invited_at__isnull=False)),
        "plans": held.aggregate(n=Count("id"), with_plan=Count("plan")),
        "items": [{"kind": r.pop("owner__kind"), **r} for r in items],
        "reviews": reviews,
        "exported": exported["plans"],
        "again": again_counts(county, filters),
    }


def _month(moment: datetime.datetime) -> str:
    """A month of TruncMonth (in Finnish time) as an ISO date, for JSON."""
    return moment.date().isoformat()


def _month_name(iso: str) -> str:
    return date_format(datetime.date.fromisoformat(iso), "YEAR_MONTH_FORMAT")


def figures(data: dict) -> list[Figure]:
    """The dashboard's figures in the user's language, from the numbers of `aggregates`."""
    from feedback.results import headline_figure  # feedback builds on this module

    groups = dict(YouthClient.ClientGroup.choices)
    modalities = dict(Modality.choices)
    kinds = dict(Participant.Kind.choices)
    invitations, plans, reviews = data["invitations"], data["plans"], data["reviews"]
    speed = speed_shown(data["speed"])
    return [
        Figure(
            "youth",
            _("Young people in cooperation"),
            _(
                "Young people with at least one meeting (not cancelled) in the period, "
                "by client group."
            ),
            [_("Client group"), _("Young people")],
            [(groups.get(group, group), small(n)) for group, n in data["youth"]],
        ),
        Figure(
            "new",
            _("New young people per month"),
            _("Young people by the month of their first joint meeting (not cancelled)."),
            [_("Month"), _("New young people")],
            [(_month_name(r["month"]), small(r["n"])) for r in data["new"]],
            chart=True,
        ),
        Figure(
            "meetings",
            _("Meetings per month"),
            _(
                "Meetings by the month they were (or were to be) held, by modality; "
                "cancelled apart."
            ),
            [_("Month"), *modalities.values(), _("Cancelled")],
            [
                (
                    _month_name(r["month"]),
                    *(small(r[m]) for m in modalities),
                    small(r["cancelled"]),
                )
                for r in data["meetings"]
            ],
            chart=True,
        ),
        Figure(
            "invitations",
            _("Invitations to Kela"),
            _(
                "Kela contacts invited to the meetings; accepted of those answered; a proposal of "
                "another time counts once even if later accepted."
            ),
            [
                _("Invited"),
                _("Answered"),
                _("Accepted"),
                _("Acceptance rate"),
                _("Another time proposed"),
            ],
            [
                (
                    small(invitations["invited"]),
                    small(invitations["answered"]),
                    small(invitations["accepted"]),
                    share_beside(invitations["accepted"], invitations["answered"]),
                    small(invitations["proposed"]),
                )
            ],
        ),
        Figure(
            "speed",
            _("How quickly young people get help"),
            _(
                "Days from the invitation to the meeting, for meetings not cancelled: "
                "the median and the 90th percentile."
            ),
            [_("Meetings"), _("Median (days)"), _("90th percentile (days)")],
            [(small(speed["n"]), speed["median"], speed["p90"])],
        ),
        Figure(
            "plans",
            _("Plans made"),
            _("Held meetings and how many of them have a follow-up plan recorded."),
            [_("Held meetings"), _("With a plan"), _("Share")],
            [
                (
                    small(plans["n"]),
                    small(plans["with_plan"]),
                    share_beside(plans["with_plan"], plans["n"]),
                )
            ],
        ),
        Figure(
            "items",
            _("Who does what and when: are tasks done?"),
            _(
                "Action items of the plans by who owns them: done by the due date (or "
                "without one), done late, overdue (open past the due date) and open."
            ),
            [_("Owner"), _("Done on time"), _("Done late"), _("Overdue"), _("Open")],
            [
                (
                    kinds.get(r["kind"], r["kind"]),
                    small(r["on_time"]),
                    small(r["late"]),
                    small(r["overdue"]),
                    small(r["open"]),
                )
                for r in data["items"]
            ],
            chart=True,
        ),
        Figure(
            "reviews",
            _("Reviews"),
            _(
                "Plans whose review date has come: reviewed by that date, and overdue "
                "(not reviewed yet). The share of plans in which cooperation with Kela "
                "continues."
            ),
            [
                _("Reviews due"),
                _("Done on time"),
                _("Overdue"),
                _("Cooperation with Kela continues"),
            ],
            [
                (
                    small(reviews["due"]),
                    small(reviews["on_time"]),
                    small(reviews["overdue"]),
                    share(reviews["continues"], reviews["total"]),
                )
            ],
        ),
        Figure(
            "exports",
            _("Plans exported into the client plan"),
            _("Plans of the period exported at least once as the client plan document."),
            [_("Plans"), _("Exported"), _("Share")],
            [
                (
                    small(plans["with_plan"]),
                    small(data["exported"]),
                    share_beside(data["exported"], plans["with_plan"]),
                )
            ],
        ),
        headline_figure(data["again"]),
    ]


# Snapshots: the default view, computed ahead --------------------------------------------------

# A snapshot older than this is not shown (the beat task refreshes every few minutes; if the
# worker stops, the page computes its figures itself rather than show old ones).
SNAPSHOT_MAX_AGE = datetime.timedelta(minutes=15)


def default_filters() -> dict:
    today = timezone.localdate()
    return {"start": today - datetime.timedelta(days=365), "end": today}


def _scope_key(county) -> str:
    return county.code if county is not None else ""


def _is_default(filters: dict) -> bool:
    """The view a coordinator opens: the last 12 months of their whole scope."""
    return {k: v for k, v in filters.items() if v} == default_filters()


def dashboard_data(county, filters: dict) -> tuple[dict, datetime.datetime | None]:
    """The numbers of the figures, and when they were computed when they come from a snapshot
    (None: computed now)."""
    if _is_default(filters):
        snapshot = DashboardSnapshot.objects.filter(
            scope=_scope_key(county),
            day=timezone.localdate(),
            computed_at__gte=timezone.now() - SNAPSHOT_MAX_AGE,
        ).first()
        if snapshot is not None:
            return snapshot.data, snapshot.computed_at
    return aggregates(county, filters), None


def snapshots_refresh() -> int:
    """Compute the default view of the whole country and of every county (the beat task)."""
    scopes = [None, *County.objects.all()]
    for county in scopes:
        started = timezone.now()
        data = aggregates(county, default_filters())
        DashboardSnapshot.objects.update_or_create(
            scope=_scope_key(county),
            defaults={"day": timezone.localdate(started), "computed_at": started, "data": data},
        )
    return len(scopes)


coordinator_required = role_required(User.Role.COORDINATOR)


@require_GET
@coordinator_required
def dashboard(request):
    county = scope_county(request.user)
    form = Filters(request.GET or None, county=county)
    # Invalid filters (an unknown county, a reversed period) are explained next to the field,
    # and the figures are shown unfiltered.
    filters = form.cleaned_data if form.is_bound and form.is_valid() else default_filters()
    data, as_of = dashboard_data(county, filters)
    context = {
        "form": form,
        "figures": figures(data),
        "as_of": as_of,
        "period": filters,
        "scope": county,
        "query": filter_query(request, form),
    }
    if request.GET.get("csv"):
        return figure_csv(context["figures"], request.GET["csv"], form, filters)
    return render(request, "dashboard.html", context)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def filters_invalid(form) -> bool:
    return form.is_bound and not form.is_valid()


def filter_query(request, form) -> str:
    """The filters for the page's links (the CSVs): only valid ones, so that a CSV holds the
    figures shown on the page."""
    return "" if filters_invalid(form) else request.GET.urlencode()


def figure_csv(all_figures, key, form, period):
    """One figure as CSV. With filters that are not valid the download is refused: a file
    does not show the message next to the field, and unfiltered numbers would pass for
    filtered ones."""
    if filters_invalid(form):
        return HttpResponseBadRequest(
            _("The filters are not valid. Correct them on the page and download again."),
            content_type="text/plain; charset=utf-8",
        )
    figure = next((f for f in all_figures if f.key == key), None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    if figure is None:
        response.status_code = 404
        return response
    # The period in the file name: a downloaded file says what it covers.
    name = f"yhteistyo-{figure.key}-{period['start']:%Y%m%d}-{period['end']:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # For the spreadsheet a coordinator opens it in: Excel in Finnish and Swedish separates
    # columns with a semicolon (the comma is the decimal sign: "3,5"), and reads UTF-8 (ä, ö, å)
    # only after a byte order mark.
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_cell(c) for c in figure.columns])
    for row in figure.rows:
        writer.writerow([_cell(c) for c in row])
    return response
