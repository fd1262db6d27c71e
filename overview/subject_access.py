"""Everything the service holds about one young person, for a subject-access request (GDPR
art. 15): their record, consents, meetings with participants, plans, action items, reviews and
the access log. The young person's own identity code is included: it is their data."""

import datetime
import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Consent, YouthClient
from meetings.models import (
    ActionItem,
    ActionItemChange,
    FollowUpPlan,
    JointMeeting,
    Participant,
    Review,
)

SCHEMA = "yhteistyo-subject-access/1"


def _rows(queryset, fields=None):
    return [
        {"id": row["pk"], **row["fields"]}
        for row in serializers.serialize("python", queryset, fields=fields)
    ]


def _querysets(youth: YouthClient) -> dict:
    meetings = JointMeeting.objects.filter(youth=youth)
    plans = FollowUpPlan.objects.filter(meeting__in=meetings)
    return {
        "young_person": YouthClient.objects.filter(pk=youth.pk),
        "handovers": youth.handovers.all(),
        "consents": youth.consents.all(),
        "meetings": meetings,
        "participants": Participant.objects.filter(meeting__in=meetings),
        "plans": plans,
        "action_items": ActionItem.objects.filter(plan__in=plans),
        # Moved dates, notes and cancellations: they may tell about the young person too.
        "action_item_changes": ActionItemChange.objects.filter(item__plan__in=plans),
        "reviews": Review.objects.filter(plan__in=plans),
        "cooperation_requests": youth.cooperation_requests.all(),
        "access_log": youth.access_log_entries().order_by("at"),
    }


def youth_data(youth: YouthClient) -> dict:
    data = {key: _rows(queryset) for key, queryset in _querysets(youth).items()}
    return {
        "schema": SCHEMA,
        "exported_at": timezone.now(),
        **data,
        "young_person": data["young_person"][0],
    }


# Internal bookkeeping a person reading their data has no use for.
INTERNAL = {"id", "version", "ics_sequence", "youth", "meeting", "plan", "object_id"}


def _shown(obj, field) -> str:
    if field.name == "topics":
        return ", ".join(str(label) for label in obj.topic_labels()) or "–"
    if field.is_relation:
        value = getattr(obj, field.name)
    elif field.choices:
        value = getattr(obj, f"get_{field.name}_display")()
    else:
        value = getattr(obj, field.attname)
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, Consent):  # the consent a meeting rests on: by its date (listed above)
        value = value.given_at
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def youth_data_readable(youth: YouthClient) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """The same data for a person to read (the PDF): each section a list of records, each a
    list of (label, value) in the user's language, with names instead of ids and the labels
    of coded values instead of the codes."""
    sections = []
    for key, queryset in _querysets(youth).items():
        fields = [f for f in queryset.model._meta.concrete_fields if f.name not in INTERNAL]
        # The names of people and organisations in the same query, not one query per row.
        rows = queryset.select_related(*[f.name for f in fields if f.is_relation])
        records = [[(capfirst(f.verbose_name), _shown(obj, f)) for f in fields] for obj in rows]
        sections.append((SECTION_TITLES[key], records))
    return sections


SECTION_TITLES = {
    "young_person": gettext_lazy("The young person"),
    "handovers": gettext_lazy("Changes of the responsible worker"),
    "consents": gettext_lazy("Consents"),
    "meetings": gettext_lazy("Joint meetings"),
    "participants": gettext_lazy("Participants"),
    "plans": gettext_lazy("Follow-up plans"),
    "action_items": gettext_lazy("Who does what and when"),
    "action_item_changes": gettext_lazy("Changes and notes of the tasks"),
    "reviews": gettext_lazy("Reviews"),
    "cooperation_requests": gettext_lazy("Cooperation requests from Kela"),
    "access_log": gettext_lazy("Who has processed the data"),
}


def youth_data_json(youth: YouthClient) -> str:
    return json.dumps(youth_data(youth), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
