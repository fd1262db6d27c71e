"""The lists of the role home pages (issue 20): what needs attention first, each list bounded.

The home page shows the first HOME_ROWS rows of each list with its total; the full list is a
paginated page of its own (`overview:work_list`), so that no page a user opens daily grows with
the user's history. A worker sees the young people they are responsible for by default, and the
whole organisation with `?scope=organisation` (issue 17), kept in every link.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CooperationRequest, SpecialServiceReferral, YouthClient
from feedback import services as feedback
from feedback.models import SurveyLink
from kelayhteistyo.models import User
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Participant

HOME_ROWS = 10
PAGE_SIZE = 50
REVIEWS_DUE_WITHIN_DAYS = 14
# The worker's lists cover the young people they are responsible for, or with this value of
# the `scope` parameter the whole organisation's.
ORGANISATION = "organisation"


@dataclass(frozen=True)
class WorkList:
    """One list of a home page: its rows in the order of what needs attention first."""

    key: str  # the name in the home page's context and in the list page's address
    title: str
    empty: str
    rows_template: str
    query: Callable[[User, bool], QuerySet]  # (user, whole organisation?) → ordered rows
    youth_of: Callable | None = None  # the young person of a row (None: not personal data)
    # The rows as the template wants them (the feedback links carry their address).
    present: Callable[[list], list] = list
    # The rows are cooperation requests from Kela: logged per request (youth_ids_shown says
    # nothing of them: a request may have no young person's record yet).
    requests: bool = False


def _meetings(user: User, organisation: bool) -> QuerySet:
    meetings = JointMeeting.objects.visible_to(user).select_related("youth")
    if user.is_aftercare_worker and not organisation:
        meetings = meetings.filter(youth__responsible_worker=user)
    return meetings


def _upcoming(user, organisation):
    return _meetings(user, organisation).upcoming()


def _to_record(user, organisation):
    # Held (or past and confirmed) but no plan yet: the worker's next step. A held review
    # meeting waits for its review; once recorded (on the plan it reviews), nothing.
    return (
        _meetings(user, organisation)
        .filter(
            Q(status=JointMeeting.Status.HELD)
            | Q(status=JointMeeting.Status.CONFIRMED, starts_at__lt=timezone.now())
        )
        .filter(held_review__isnull=True)
        .order_by("starts_at", "pk")
    )


def _waiting(user, organisation):
    # A time Kela proposed waits for the worker: those first, saying so.
    kela = Participant.objects.filter(meeting=OuterRef("pk"), kind=Participant.Kind.KELA_CONTACT)
    proposals = kela.filter(status=Participant.Status.PROPOSED).order_by("-responded_at")
    unanswered = kela.filter(status__in=[Participant.Status.PENDING, Participant.Status.PROPOSED])
    return (
        _meetings(user, organisation)
        .filter(Exists(unanswered), status=JointMeeting.Status.INVITED)
        .annotate(proposed_start=Subquery(proposals.values("proposed_start")[:1]))
        .order_by(F("proposed_start").asc(nulls_last=True), "starts_at", "pk")
    )


def _overdue_items(user, organisation):
    return (
        ActionItem.objects.filter(
            plan__meeting__in=_meetings(user, organisation),
            status=ActionItem.Status.OPEN,
            due_date__lt=timezone.localdate(),
        )
        .select_related("owner__user", "plan__meeting__youth")
        .order_by("due_date", "pk")
    )


def _reviews_due(user, organisation):
    within = timezone.localdate() + datetime.timedelta(days=REVIEWS_DUE_WITHIN_DAYS)
    return (
        FollowUpPlan.objects.filter(
            meeting__in=_meetings(user, organisation), review_date__lte=within
        )
        .select_related("meeting__youth")
        .order_by("review_date", "pk")
    )


def _young_people(user, organisation):
    youth = YouthClient.objects.visible_to(user).filter(status=YouthClient.Status.ACTIVE)
    if not organisation:
        youth = youth.filter(responsible_worker=user)
    return youth.order_by("last_name", "first_name", "pk")


def _to_answer(user, organisation):
    pending = Participant.objects.filter(
        meeting=OuterRef("pk"), user=user, status=Participant.Status.PENDING
    )
    return (
        _meetings(user, organisation)
        .filter(Exists(pending), status=JointMeeting.Status.INVITED)
        .order_by("starts_at", "pk")
    )


def _kela_upcoming(user, organisation):
    # Those still to answer are listed above, not twice.
    answered = Participant.objects.filter(meeting=OuterRef("pk"), user=user).exclude(
        status__in=[Participant.Status.DECLINED, Participant.Status.PENDING]
    )
    return _meetings(user, organisation).filter(Exists(answered)).upcoming()


def _my_items(user, organisation):
    # The contact's own participant rows first (a Kela contact may have thousands): given as
    # ids, the database finds their items by owner instead of joining every open item.
    mine = list(Participant.objects.filter(user=user).values_list("pk", flat=True))
    return (
        ActionItem.objects.filter(
            owner_id__in=mine,
            plan__meeting__in=_meetings(user, organisation),
            status=ActionItem.Status.OPEN,
        )
        .select_related("plan__meeting__youth")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )


def _feedback(user, organisation):
    return (
        SurveyLink.objects.open()
        .filter(participant__user=user)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "pk")
    )


def _cooperation_requests(user, organisation):
    # Waiting for the unit: those nobody has taken, and the worker's own (the whole
    # organisation's taken ones too with the organisation scope); the oldest first.
    requests = CooperationRequest.objects.visible_to(user).waiting()
    if not organisation:
        requests = requests.filter(Q(status=CooperationRequest.Status.SENT) | Q(taken_by=user))
    return requests.select_related("sent_by", "taken_by").order_by("sent_at", "pk")


def _my_requests(user, organisation):
    # Kela's own requests and their state, the newest first (answered ones too: Kela reads
    # the answer here; the personal data is gone once the request is erased).
    return (
        CooperationRequest.objects.visible_to(user)
        .select_related("organisation", "taken_by")
        .order_by("-sent_at", "pk")
    )


def _special_referrals(user, organisation):
    # Referrals to the special service Kela has still to take, assess or end (issue 18), the
    # oldest first; only while a consent covers them (visible_to).
    return (
        SpecialServiceReferral.objects.visible_to(user)
        .open()
        .select_related("youth")
        .order_by("referred_at", "pk")
    )


def _with_paths(links: list) -> list[dict]:
    return [{"link": link, "path": feedback.answer_path(link)} for link in links]


def _meeting_youth(meeting):
    return meeting.youth_id


def _item_youth(item):
    return item.plan.meeting.youth_id


MEETING_ROWS = "overview/rows/meetings.html"
FEEDBACK = WorkList(
    "feedback_to_give",
    _("Give feedback on a meeting"),
    _("No feedback to give."),
    "overview/rows/feedback.html",
    _feedback,
    present=_with_paths,
)
WORKER_LISTS = {
    w.key: w
    for w in (
        WorkList(
            "cooperation_requests",
            _("Cooperation requests from Kela"),
            _("No cooperation requests waiting."),
            "overview/rows/cooperation_requests.html",
            _cooperation_requests,
            requests=True,
        ),
        WorkList(
            "upcoming",
            _("Upcoming meetings"),
            _("No upcoming meetings."),
            MEETING_ROWS,
            _upcoming,
            _meeting_youth,
        ),
        WorkList(
            "waiting",
            _("Invitations waiting for an answer"),
            _("Nothing is waiting for an answer."),
            MEETING_ROWS,
            _waiting,
            _meeting_youth,
        ),
        WorkList(
            "to_record",
            _("Meetings held: record the plan"),
            _("No meeting is waiting for its plan."),
            MEETING_ROWS,
            _to_record,
            _meeting_youth,
        ),
        WorkList(
            "overdue_items",
            _("Overdue action items"),
            _("No overdue action items."),
            "overview/rows/overdue_items.html",
            _overdue_items,
            _item_youth,
        ),
        WorkList(
            "reviews_due",
            _("Reviews due"),
            _("No reviews due in the next two weeks."),
            "overview/rows/reviews_due.html",
            _reviews_due,
            lambda plan: plan.meeting.youth_id,
        ),
        FEEDBACK,
        WorkList(
            "youth_clients",
            _("Young people"),
            _("No active young people."),
            "overview/rows/young_people.html",
            _young_people,
            lambda youth: youth.pk,
        ),
    )
}
KELA_LISTS = {
    w.key: w
    for w in (
        WorkList(
            "to_answer",
            _("Invitations to answer"),
            _("No invitations to answer."),
            MEETING_ROWS,
            _to_answer,
            _meeting_youth,
        ),
        WorkList(
            "upcoming",
            _("Upcoming meetings"),
            _("No upcoming meetings."),
            MEETING_ROWS,
            _kela_upcoming,
            _meeting_youth,
        ),
        FEEDBACK,
        WorkList(
            "special_referrals",
            _("Special service referrals"),
            _("No special service referrals open."),
            "overview/rows/special_referrals.html",
            _special_referrals,
            lambda referral: referral.youth_id,
        ),
        WorkList(
            "my_requests",
            _("My cooperation requests"),
            _("You have sent no cooperation requests."),
            "overview/rows/kela_requests.html",
            _my_requests,
            requests=True,
        ),
        WorkList(
            "my_items",
            _("My action items"),
            _("No open action items."),
            "overview/rows/kela_items.html",
            _my_items,
            _item_youth,
        ),
    )
}


def lists_of(user: User) -> dict[str, WorkList]:
    """The lists of the user's home page (coordinators have none)."""
    if user.is_aftercare_worker:
        return WORKER_LISTS
    if user.is_kela_contact:
        return KELA_LISTS
    return {}


@dataclass
class Section:
    """A list as the home page shows it: its first rows and how many there are in all (counted
    up to COUNT_CAP: beyond that the home page says "more than", the full list says how many)."""

    list: WorkList
    rows: list
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP


# Counting stops here: a count touches every row it counts, and thousands of overdue items of
# a whole organisation would cost more than the rest of the page.
COUNT_CAP = 100


def home_sections(user: User, organisation: bool) -> dict[str, Section]:
    """The first HOME_ROWS rows of each list and its total (two queries a list, each bounded:
    the rows stop at HOME_ROWS, the count at COUNT_CAP + 1)."""
    sections = {}
    for key, work_list in lists_of(user).items():
        rows = work_list.query(user, organisation)
        shown = list(rows[:HOME_ROWS])
        # The ids in the list's own order, not COUNT(*): without the order the planner
        # picks a plan that reads every row before the limit.
        total = len(rows.values_list("pk", flat=True)[: COUNT_CAP + 1])
        sections[key] = Section(work_list, work_list.present(shown), total)
    return sections


def requests_shown(work_list: WorkList, rows) -> list:
    """The cooperation requests the rows show (for the access log)."""
    return list(rows) if work_list.requests else []


def youth_ids_shown(work_list: WorkList, rows) -> list:
    """The young people whose data the rows show (for the access log)."""
    if work_list.youth_of is None:
        return []
    return [work_list.youth_of(row) for row in rows]
