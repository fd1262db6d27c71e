"""The report of who has processed a young person's data (Act 703/2023): for the worker to hand
over (cases.views.access_report) and for the young person on their own page (issue 19)."""

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from kelayhteistyo.models import AccessLog, User

from .models import CooperationRequest


def _about(youth_ids) -> Q:
    requests = [
        str(pk)
        for pk in CooperationRequest.objects.filter(youth_id__in=youth_ids).values_list(
            "pk", flat=True
        )
    ]
    return Q(youth_id__in=youth_ids) | Q(
        youth__isnull=True, object_type__in=CooperationRequest.LOG_TYPES, object_id__in=requests
    )


def access_report_rows(
    youth_ids, start: datetime.date, end: datetime.date
) -> list["AccessReportRow"]:
    """Every access to the young person's data in the period, a row per day, person and kind."""
    rows = (
        # Also the reads of a cooperation request about them made before it was linked to
        # their record (YouthClient.access_log_entries).
        AccessLog.objects.filter(_about(youth_ids), at__date__range=(start, end))
        .values(
            "at__date",
            "user__first_name",
            "user__last_name",
            "actor",
            "role",
            "organisation__name",
            "action",
            "object_type",
            "basis",
        )
        .annotate(times=Count("id"))
        .order_by("at__date", "user__last_name", "action")
    )
    return [AccessReportRow(r) for r in rows]


class AccessReportRow:
    """A day's accesses by one person, in words a young person understands."""

    OBJECTS = {
        "youthclient": gettext_lazy("the young person's record"),
        "consent": gettext_lazy("the consent"),
        "jointmeeting": gettext_lazy("a joint meeting"),
        "followupplan": gettext_lazy("the follow-up plan"),
        "actionitem": gettext_lazy("a task in the plan"),
        "review": gettext_lazy("a review"),
        "planexport": gettext_lazy("the plan as a document"),
        "notification": gettext_lazy("a notification"),
        # Disclosed to the invited Kela contact with consent (meetings.views).
        "kela_identity": gettext_lazy(
            "the identifying data (name, date of birth, client group, aftercare end date)"
        ),
        "kela_identity_code": gettext_lazy("the personal identity code"),
        # Sent by e-mail to a network member with consent (meetings.pdf, issue 17).
        "plan_to_network": gettext_lazy("the plain-language plan, sent to a network member"),
        "participant": gettext_lazy("a participant of a joint meeting"),
        # Pages that show several young people: one row per young person shown.
        "youth_list": gettext_lazy("the list of young people"),
        "meeting_list": gettext_lazy("the list of joint meetings"),
        "home": gettext_lazy("the home page"),
        "home_list": gettext_lazy("a list of the home page in full"),
        "notifications": gettext_lazy("the notifications"),
        "accessreport": gettext_lazy("the report of who has processed the data"),
        # The young person's own page (issue 19).
        "own_page": gettext_lazy("the young person's own page"),
        "own_ics": gettext_lazy("a meeting as a calendar file"),
        "own_processed": gettext_lazy("the report of who has processed the data"),
        # The light door: a link sent, the page opened with it, its calendar file.
        "ownlightlink": gettext_lazy("a link to the young person's own page"),
        "own_light_page": gettext_lazy("the young person's own page, opened with a link"),
        "own_light_ics": gettext_lazy("a meeting as a calendar file"),
        # Kela's cooperation request about the young person (issue 18).
        "cooperationrequest": gettext_lazy("a cooperation request from Kela"),
        "cooperationrequest_list": gettext_lazy("a list of cooperation requests from Kela"),
        "specialservicereferral": gettext_lazy("a referral to Kela's special service"),
        "cooperationrequest_match": gettext_lazy(
            "the young people matching a cooperation request from Kela"
        ),
    }

    def __init__(self, row):
        self.day = row["at__date"]
        self.own = row["basis"] == AccessLog.Basis.OWN_DATA
        if self.own:  # the young person on their own page: no user account
            self.who, self.role = gettext_lazy("The young person themselves"), ""
        elif row["actor"]:  # no account: an outside owner of an action item, by a signed link
            self.who = row["actor"]
            self.role = gettext_lazy("Outside owner of an action item (no account)")
        else:
            self.who = f"{row['user__first_name']} {row['user__last_name']}"
            self.role = User.Role(row["role"]).label
        self.organisation = row["organisation__name"] or ""
        self.action = AccessLog.Action(row["action"]).label
        self.what = self.OBJECTS.get(row["object_type"], row["object_type"])
        # For the young person: no internal codes, even for a kind of row not named above.
        self.plain_what = self.OBJECTS.get(row["object_type"], gettext_lazy("your data"))
        self.basis = AccessLog.Basis(row["basis"]).label
        self.times = row["times"]
