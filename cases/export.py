"""Everything the service holds about one young person, for a subject-access request (GDPR
art. 15): their record, consents, meetings with participants, plans, action items, reviews and
the access log. The young person's own identity code is included: it is their data."""

import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from kelayhteistyo.models import AccessLog
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Participant, Review

from .models import YouthClient

SCHEMA = "yhteistyo-subject-access/1"


def _rows(queryset, fields=None):
    return [
        {"id": row["pk"], **row["fields"]}
        for row in serializers.serialize("python", queryset, fields=fields)
    ]


def youth_data(youth: YouthClient) -> dict:
    meetings = JointMeeting.objects.filter(youth=youth)
    plans = FollowUpPlan.objects.filter(meeting__in=meetings)
    return {
        "schema": SCHEMA,
        "exported_at": timezone.now(),
        "young_person": _rows(YouthClient.objects.filter(pk=youth.pk))[0],
        "handovers": _rows(youth.handovers.all()),
        "consents": _rows(youth.consents.all()),
        "meetings": _rows(meetings),
        "participants": _rows(Participant.objects.filter(meeting__in=meetings)),
        "plans": _rows(plans),
        "action_items": _rows(ActionItem.objects.filter(plan__in=plans)),
        "reviews": _rows(Review.objects.filter(plan__in=plans)),
        "access_log": _rows(AccessLog.objects.filter(youth=youth).order_by("at")),
    }


def youth_data_json(youth: YouthClient) -> str:
    return json.dumps(youth_data(youth), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
