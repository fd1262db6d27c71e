"""The filters of the coordinators' pages and the coordinator's scope: which meetings, links and
responses a figure counts (responses and links by reporting cell). A coordinator whose
organisation has a county sees that county; one without a county (a national project or Kela)
sees the whole country."""

import datetime

from django import forms
from django.db.models import Count, F, Sum, Window
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import YouthClient
from feedback.models import LinkCount, Response, ResponseCell, quarter_start
from kelayhteistyo.forms import DateField, NamesInUserLanguageMixin
from kelayhteistyo.models import County, Organisation
from meetings.models import JointMeeting, Modality

from .suppression import SMALL


class Filters(NamesInUserLanguageMixin, forms.Form):
    start = DateField(label=gettext_lazy("From"), required=False)
    end = DateField(label=gettext_lazy("To"), required=False)
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
        self.fields["start"].help_text = _("From the start of this date's month.")
        self.fields["end"].help_text = _("To the end of this date's month.")

        for field in self.fields.values():  # Bootstrap's classes (`_filter_field.html`)
            kind = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{type(field.widget).__name__.lower()} {kind}"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:  # marked invalid, as the page draws it
                self.fields[name].widget.attrs["class"] += " is-invalid"

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
        else:
            cleaned.update(whole_months(cleaned["start"], cleaned["end"]))
        return cleaned


def whole_months(start: datetime.date, end: datetime.date) -> dict:
    """The period widened to whole months, from the first day of the start's month to the last
    day of the end's: the figures are read from per-month summary rows (`rollups`)."""
    following = (end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return {"start": start.replace(day=1), "end": following - datetime.timedelta(days=1)}


def default_filters() -> dict:
    """The view a coordinator opens: the month a year ago to the end of this month."""
    today = timezone.localdate()
    return whole_months(today - datetime.timedelta(days=365), today)


def meetings_in_scope(county, filters: dict):
    """Meetings that were sent to Kela (not drafts), in a coordinator's scope (their county, or
    None: the whole country) and filters."""
    meetings = JointMeeting.objects.exclude(status=JointMeeting.Status.DRAFT)
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


# Feedback: reporting cells -----------------------------------------------------------------------
# Answers are counted in fixed cells: county × quarter (in which they were given) × survey
# version. A cell with fewer than SMALL answers is left out of every figure and total, and the
# filters select whole cells only, so that no two views differ by fewer than SMALL respondents
# (docs/security.md, "Differencing").


def next_quarter(quarter: datetime.date) -> datetime.date:
    return quarter_start(quarter + datetime.timedelta(days=92))


def quarters(filters: dict) -> tuple[datetime.date, datetime.date]:
    """The period of the filters as whole quarters, those that are over: the first day of the
    first and of the one after the last (equal when none is over yet). A quarter that is over
    no longer changes, so that looking again later tells nothing about who answered meanwhile."""
    start = quarter_start(filters["start"])
    end = min(next_quarter(quarter_start(filters["end"])), quarter_start(timezone.localdate()))
    return start, max(start, end)


def _responses_in_period(county, filters: dict):
    start, end = quarters(filters)
    responses = Response.objects.filter(quarter__gte=start, quarter__lt=end)
    if county is not None:  # the coordinator's county
        responses = responses.filter(county=county)
    if filters.get("county"):
        responses = responses.filter(county=filters["county"])
    return responses.annotate(
        cell=Window(Count("pk"), partition_by=[F("county"), F("quarter"), F("survey")])
    )


def responses_in_scope(county, filters: dict, *, survey=None, group: str | None = None):
    """The responses a coordinator's figures count: in their scope (their county, or None: the
    whole country), in the whole quarters and county of the filters, of one survey version or
    group if given, and only from cells of at least SMALL responses."""
    responses = _responses_in_period(county, filters)
    if survey is not None:
        responses = responses.filter(survey=survey)
    if group is not None:
        responses = responses.filter(group=group)
    return Response.objects.filter(pk__in=responses.filter(cell__gte=SMALL).values("pk"))


def responses_left_out(county, filters: dict) -> bool:
    """Whether the period and county of the filters have cells of 1 to SMALL - 1 responses,
    left out of the figures (the page says so, without saying how many)."""
    return _responses_in_period(county, filters).filter(cell__lt=SMALL).exists()


def cells_in_period(county, filters: dict):
    """The reporting cells (summary rows, `feedback.ResponseCell`) of the whole quarters and
    county of the filters, in a coordinator's scope; `.filter(n__gte=SMALL)` for the counted
    ones."""
    start, end = quarters(filters)
    cells = ResponseCell.objects.filter(quarter__gte=start, quarter__lt=end)
    if county is not None:
        cells = cells.filter(county=county)
    if filters.get("county"):
        cells = cells.filter(county=filters["county"])
    return cells


def links_sent(county, filters: dict) -> dict[str, int]:
    """The feedback links sent in the whole quarters and county of the filters, by group."""
    start, end = quarters(filters)
    counts = LinkCount.objects.filter(quarter__gte=start, quarter__lt=end)
    if county is not None:
        counts = counts.filter(county=county)
    if filters.get("county"):
        counts = counts.filter(county=filters["county"])
    return dict(counts.values_list("group").annotate(n=Sum("n")).order_by())
