"""The filters of the coordinators' pages and the coordinator's scope: which meetings, links and
responses a figure counts. A coordinator whose organisation has a county sees that county; one
without a county (a national project or Kela) sees the whole country."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import YouthClient
from feedback.models import Response, SurveyLink
from kelayhteistyo.forms import DateInput, NamesInUserLanguageMixin
from kelayhteistyo.models import County, Organisation
from meetings.models import JointMeeting, Modality


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


def default_filters() -> dict:
    today = timezone.localdate()
    return {"start": today - datetime.timedelta(days=365), "end": today}


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


def _months(filters: dict) -> tuple[datetime.date, datetime.date]:
    """The period as whole months: answers know only the month of their meeting."""
    start = filters["start"].replace(day=1)
    end = (filters["end"].replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return start, end  # end is exclusive


def responses_in_scope(county, filters: dict):
    """The responses about the meetings of the filters in a coordinator's scope (their county,
    or None: the whole country)."""
    start, end = _months(filters)
    responses = Response.objects.filter(meeting_month__gte=start, meeting_month__lt=end)
    if county is not None:
        responses = responses.filter(county=county)
    for field in ("county", "client_group", "modality"):
        if filters.get(field):
            responses = responses.filter(**{field: filters[field]})
    return responses


def links_in_scope(county, filters: dict):
    """The feedback links sent after the meetings of the filters in the scope."""
    start, end = _months(filters)
    links = SurveyLink.objects.filter(
        meeting__starts_at__gte=day_start(start), meeting__starts_at__lt=day_start(end)
    )
    if county is not None:
        links = links.filter(meeting__organisation__county=county)
    for field, lookup in (
        ("county", "meeting__organisation__county"),
        ("client_group", "meeting__youth__client_group"),
        ("modality", "meeting__modality"),
    ):
        if filters.get(field):
            links = links.filter(**{lookup: filters[field]})
    return links
