"""The lists of the role home pages (issue 20): what needs attention first, each list bounded.

The home page shows the first HOME_ROWS rows of each list with its total; the full list is a
paginated page of its own (`overview:work_list`), so that no page a user opens daily grows with
the user's history. A worker sees the young people they are responsible for by default, and the
whole organisation with `?scope=organisation` (issue 17), kept in every link.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Window,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Consent, CooperationRequest, SpecialServiceReferral, YouthClient
from feedback import services as feedback
from feedback.models import SurveyLink
from kelayhteistyo.access import access_log_page
from kelayhteistyo.models import User, choice_label
from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Modality, Participant

HOME_ROWS = 10
PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # a list page's number beyond this is past the end of any list
REVIEWS_DUE_WITHIN_DAYS = 14
# The worker's lists cover the young people they are responsible for, or with this value of
# the `scope` parameter the whole organisation's.
ORGANISATION = "organisation"


class Row(SimpleNamespace):
    """One row of a list: only the columns it shows, read as attributes (templates, tests)."""


def _rows(rows) -> list[Row]:
    return [Row(**row) for row in rows]


@dataclass(frozen=True)
class WorkList:
    """One list of a home page: its rows in the order of what needs attention first."""

    key: str  # the name in the home page's context and in the list page's address
    title: str
    empty: str
    rows_template: str
    # (user, whole organisation?) → the rows in order, as values() of only the columns shown:
    # one query gives a home page's first rows and its (capped) total together.
    query: Callable[[User, bool], QuerySet]
    # The rows as the template wants them (labels looked up, the feedback links' addresses).
    present: Callable[[list], list] = _rows
    personal: bool = True  # the rows name a young person (`youth_id`: logged)
    # The rows are cooperation requests from Kela: logged per request (log_shown).
    requests: bool = False


MEETING_COLUMNS = ("pk", "starts_at", "status", "modality", "youth_id")
YOUTH_NAME = {"first_name": F("youth__first_name"), "last_name": F("youth__last_name")}


def _meetings(user: User, organisation: bool) -> QuerySet:
    meetings = JointMeeting.objects.visible_to(user)
    if user.is_aftercare_worker and not organisation:
        meetings = meetings.filter(youth__responsible_worker=user)
    return meetings


def _meeting_rows(meetings: QuerySet, *more: str) -> QuerySet:
    return meetings.values(*MEETING_COLUMNS, *more, **YOUTH_NAME)


def _meeting_present(rows) -> list[Row]:
    return [
        Row(
            **row,
            status_label=choice_label(JointMeeting.Status, row["status"]),
            modality_label=choice_label(Modality, row["modality"]),
        )
        for row in rows
    ]


def _upcoming(user, organisation):
    return _meeting_rows(_meetings(user, organisation).upcoming().order_by("starts_at", "pk"))


def _to_record(user, organisation):
    # Held (or past and confirmed) but no plan yet: the worker's next step. A held review
    # meeting waits for its review; once recorded (on the plan it reviews), nothing.
    return _meeting_rows(
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
    return _meeting_rows(
        _meetings(user, organisation)
        .filter(Exists(unanswered), status=JointMeeting.Status.INVITED)
        .annotate(proposed_start=Subquery(proposals.values("proposed_start")[:1]))
        .order_by(F("proposed_start").asc(nulls_last=True), "starts_at", "pk"),
        "proposed_start",
    )


def _worker_items(user: User, organisation: bool) -> QuerySet:
    """The open action items of the meetings a worker sees (JointMeeting.visible_to), their own
    young people's unless the whole organisation is asked: one range of a partial index
    (item_open_org_due or item_open_youth_due) instead of a join through every plan and
    meeting. The item carries its meeting's organisation, which is its young person's (set
    when the record is made and never changed, cases.services.youth_save): checking the young
    person's too, as visible_to does, only misleads the planner (it multiplies the two)."""
    if not (user.is_aftercare_worker and user.organisation_id):
        return ActionItem.objects.none()
    items = ActionItem.objects.filter(
        status=ActionItem.Status.OPEN, organisation_id=user.organisation_id
    )
    if not organisation:
        items = items.filter(youth__responsible_worker=user)
    return items


def _overdue_items(user, organisation):
    return (
        _worker_items(user, organisation)
        .filter(due_date__lt=timezone.localdate())
        .order_by("due_date", "pk")
        .values(
            "pk",
            "what",
            "due_date",
            "youth_id",
            meeting_id=F("plan__meeting_id"),
            first_name=F("youth__first_name"),
            last_name=F("youth__last_name"),
            owner_name=F("owner__name"),
            owner_first=F("owner__user__first_name"),
            owner_last=F("owner__user__last_name"),
            owner_email=F("owner__user__email"),
        )
    )


def _overdue_present(rows) -> list[Row]:
    def owner(row) -> str:
        # Participant.display_name: the user's name (their e-mail without one), or the name.
        if row["owner_email"] is None:
            return row["owner_name"]
        return f"{row['owner_first']} {row['owner_last']}".strip() or row["owner_email"]

    return [Row(**row, owner=owner(row)) for row in rows]


def _reviews_due(user, organisation):
    within = timezone.localdate() + datetime.timedelta(days=REVIEWS_DUE_WITHIN_DAYS)
    if not (user.is_aftercare_worker and user.organisation_id):
        return FollowUpPlan.objects.none()
    # The plan carries its meeting's organisation: one range of plan_org_review_date (see
    # _worker_items).
    plans = FollowUpPlan.objects.filter(
        organisation_id=user.organisation_id, review_date__lte=within
    )
    if not organisation:
        plans = plans.filter(meeting__youth__responsible_worker=user)
    return plans.order_by("review_date", "pk").values(
        "pk",
        "meeting_id",
        "review_date",
        youth_id=F("meeting__youth_id"),
        first_name=F("meeting__youth__first_name"),
        last_name=F("meeting__youth__last_name"),
    )


def _young_people(user, organisation):
    youth = YouthClient.objects.visible_to(user).filter(status=YouthClient.Status.ACTIVE)
    if not organisation:
        youth = youth.filter(responsible_worker=user)
    return youth.order_by("last_name", "first_name", "pk").values(
        "pk", "first_name", "last_name", youth_id=F("pk")
    )


def _to_answer(user, organisation):
    pending = Participant.objects.filter(
        meeting=OuterRef("pk"), user=user, status=Participant.Status.PENDING
    )
    return _meeting_rows(
        _meetings(user, organisation)
        .filter(Exists(pending), status=JointMeeting.Status.INVITED)
        .order_by("starts_at", "pk")
    )


def _kela_upcoming(user, organisation):
    # Those still to answer are listed above, not twice.
    answered = Participant.objects.filter(meeting=OuterRef("pk"), user=user).exclude(
        status__in=[Participant.Status.DECLINED, Participant.Status.PENDING]
    )
    return _meeting_rows(
        _meetings(user, organisation)
        .filter(Exists(answered))
        .upcoming()
        .order_by("starts_at", "pk")
    )


def _my_items(user, organisation):
    # The contact's own open items of the meetings they see (JointMeeting.visible_to): the
    # owner is the contact's participant row of the item's meeting (one a meeting), so the
    # contact takes part while that row is not declined; a meeting with a plan was held (never
    # a draft); and a consent must cover the meeting. From the contact's participant rows
    # through the partial index item_open_owner_due, not through every open item.
    if not user.is_kela_contact:
        return ActionItem.objects.none()
    consent = Consent.objects.covering(Consent.Scope.KELA_MEETING).filter(
        youth=OuterRef("youth_id")
    )
    return (
        ActionItem.objects.filter(
            status=ActionItem.Status.OPEN,
            owner__in=Participant.objects.taking_part().filter(user=user).values("pk"),
        )
        .filter(Exists(consent))
        .order_by(F("due_date").asc(nulls_last=True), "pk")
        .values("pk", "what", "due_date", "youth_id", **_looked_up_after_limit())
    )


def _looked_up_after_limit() -> dict:
    """The meeting and the young person's first name of an action item as subqueries, not
    joins: PostgreSQL evaluates them for the rows shown only, after the sort and the limit
    (a Kela contact's thousand open items are not joined to find the first ten), and the
    count of the full list leaves them out."""
    plan = FollowUpPlan.objects.filter(pk=OuterRef("plan_id")).order_by()
    youth = YouthClient.objects.filter(pk=OuterRef("youth_id")).order_by()
    return {
        # A UUID by name: the foreign key's own type converts nothing (SQLite's hex strings).
        "meeting_id": Subquery(plan.values("meeting_id"), output_field=UUIDField()),
        "first_name": Subquery(youth.values("first_name")),
    }


def _feedback(user, organisation):
    return (
        SurveyLink.objects.open()
        .filter(participant__user=user)
        .order_by("-meeting__starts_at", "pk")
        .values(
            "pk",
            "code",
            "expires_at",
            starts_at=F("meeting__starts_at"),
            modality=F("meeting__modality"),
        )
    )


def _cooperation_requests(user, organisation):
    # Waiting for the unit: those nobody has taken, and the worker's own (the whole
    # organisation's taken ones too with the organisation scope); the oldest first.
    requests = CooperationRequest.objects.visible_to(user).waiting()
    if not organisation:
        requests = requests.filter(Q(status=CooperationRequest.Status.SENT) | Q(taken_by=user))
    return requests.order_by("sent_at", "pk").values(
        "pk",
        "first_name",
        "last_name",
        "date_of_birth",
        "sent_at",
        "status",
        "taken_by_id",
        "youth_id",
        sent_by_first=F("sent_by__first_name"),
        sent_by_last=F("sent_by__last_name"),
        taken_by_first=F("taken_by__first_name"),
        taken_by_last=F("taken_by__last_name"),
    )


def _name(first, last) -> str:
    return f"{first or ''} {last or ''}".strip()


def _requests_present(rows) -> list[Row]:
    return [
        Row(
            **row,
            full_name=_name(row["first_name"], row["last_name"]),
            sent_by_name=_name(row["sent_by_first"], row["sent_by_last"]),
            taken_by_name=_name(row["taken_by_first"], row["taken_by_last"]),
        )
        for row in rows
    ]


def _my_requests(user, organisation):
    # Kela's own requests and their state, the newest first (answered ones too: Kela reads
    # the answer here; the personal data is gone once the request is erased).
    return (
        CooperationRequest.objects.visible_to(user)
        .order_by("-sent_at", "pk")
        .values(
            "pk",
            "first_name",
            "last_name",
            "date_of_birth",
            "erased_at",
            "sent_at",
            "status",
            "expires_at",
            "decline_reason",
            "youth_id",
            organisation_name=F("organisation__name"),
        )
    )


def _my_requests_present(rows) -> list[Row]:
    presented = []
    for row in rows:
        # The state as CooperationRequest.state says it (expired before the nightly task).
        request = CooperationRequest(status=row["status"], expires_at=row["expires_at"])
        presented.append(
            Row(
                **row,
                full_name=_name(row["first_name"], row["last_name"]),
                is_erased=row["erased_at"] is not None,
                state=request.state,
                state_label=request.get_state_display(),
            )
        )
    return presented


def _special_referrals(user, organisation):
    # Referrals to the special service Kela has still to take, assess or end (issue 18), the
    # oldest first; only while a consent covers them (visible_to).
    return (
        SpecialServiceReferral.objects.visible_to(user)
        .open()
        .order_by("referred_at", "pk")
        .values(
            "pk",
            "referred_at",
            "status",
            "youth_id",
            date_of_birth=F("youth__date_of_birth"),
            **YOUTH_NAME,
        )
    )


def _referrals_present(rows) -> list[Row]:
    return [
        Row(**row, status_label=choice_label(SpecialServiceReferral.Status, row["status"]))
        for row in rows
    ]


def _with_paths(rows) -> list[Row]:
    return [
        Row(
            **row,
            path=feedback.answer_path(Row(code=row["code"])),
            modality_label=choice_label(Modality, row["modality"]),
        )
        for row in rows
    ]


MEETING_ROWS = "overview/rows/meetings.html"
FEEDBACK = WorkList(
    "feedback_to_give",
    _("Give feedback on a meeting"),
    _("No feedback to give."),
    "overview/rows/feedback.html",
    _feedback,
    present=_with_paths,
    personal=False,
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
            present=_requests_present,
            personal=False,
            requests=True,
        ),
        WorkList(
            "upcoming",
            _("Upcoming meetings"),
            _("No upcoming meetings."),
            MEETING_ROWS,
            _upcoming,
            _meeting_present,
        ),
        WorkList(
            "waiting",
            _("Invitations waiting for an answer"),
            _("Nothing is waiting for an answer."),
            MEETING_ROWS,
            _waiting,
            _meeting_present,
        ),
        WorkList(
            "to_record",
            _("Meetings held: record the plan"),
            _("No meeting is waiting for its plan."),
            MEETING_ROWS,
            _to_record,
            _meeting_present,
        ),
        WorkList(
            "overdue_items",
            _("Overdue action items"),
            _("No overdue action items."),
            "overview/rows/overdue_items.html",
            _overdue_items,
            _overdue_present,
        ),
        WorkList(
            "reviews_due",
            _("Reviews due"),
            _("No reviews due in the next two weeks."),
            "overview/rows/reviews_due.html",
            _reviews_due,
        ),
        FEEDBACK,
        WorkList(
            "youth_clients",
            _("Young people"),
            _("No active young people."),
            "overview/rows/young_people.html",
            _young_people,
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
            _meeting_present,
        ),
        WorkList(
            "upcoming",
            _("Upcoming meetings"),
            _("No upcoming meetings."),
            MEETING_ROWS,
            _kela_upcoming,
            _meeting_present,
        ),
        FEEDBACK,
        WorkList(
            "special_referrals",
            _("Special service referrals"),
            _("No special service referrals open."),
            "overview/rows/special_referrals.html",
            _special_referrals,
            _referrals_present,
        ),
        WorkList(
            "my_requests",
            _("My cooperation requests"),
            _("You have sent no cooperation requests."),
            "overview/rows/kela_requests.html",
            _my_requests,
            present=_my_requests_present,
            personal=False,
            requests=True,
        ),
        WorkList(
            "my_items",
            _("My action items"),
            _("No open action items."),
            "overview/rows/kela_items.html",
            _my_items,
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
    """The first HOME_ROWS rows of each list and its total, from one bounded query a list: the
    rows in the list's own order up to COUNT_CAP + 1, only the columns shown (without the
    order the planner would read every row before the limit)."""
    sections = {}
    for key, work_list in lists_of(user).items():
        rows = list(work_list.query(user, organisation)[: COUNT_CAP + 1])
        sections[key] = Section(work_list, work_list.present(rows[:HOME_ROWS]), len(rows))
    return sections


def list_page(work_list: WorkList, user: User, organisation: bool, number) -> Page:
    """A page of the full list (Paginator.get_page's rules: not a number, the first page; past
    the end, the last). The page's rows and the list's total come from one query, a window
    count: a list in its order of attention is sorted whole anyway, and counting it apart
    read it all a second time (the Kela contact's items: 25 → 13 ms on the 60k data)."""
    rows = _CountedRows(work_list.query(user, organisation), number, PAGE_SIZE)
    return Paginator(rows, PAGE_SIZE).get_page(number)


class _CountedRows:
    """The list's rows as Paginator reads them: count() fetches the page asked for with the
    total beside each row; the slice Paginator then takes is those rows. Only a page past the
    end costs a count of its own and the last page's query."""

    TOTAL = "list_total"

    def __init__(self, rows: QuerySet, number, per_page: int):
        self.rows = rows
        self.ordered = rows.ordered
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1  # Paginator's first page
        # A page before the first, or past any list (an OFFSET too large for the database),
        # is Paginator's last page: counted apart.
        self.start = (number - 1) * per_page if 1 <= number <= MAX_PAGE else None
        self.per_page = per_page
        self.fetched: list = []

    def count(self) -> int:
        if self.start is None:
            return self.rows.count()
        counted = self.rows.annotate(**{self.TOTAL: Window(Count("pk"))})
        self.fetched = list(counted[self.start : self.start + self.per_page])
        if self.fetched:
            total = self.fetched[0][self.TOTAL]
            for row in self.fetched:
                del row[self.TOTAL]
            return total
        return 0 if self.start == 0 else self.rows.count()

    def __getitem__(self, index: slice) -> list:
        if (
            self.fetched
            and index.start == self.start
            and index.stop - index.start <= len(self.fetched)
        ):
            return self.fetched[: index.stop - index.start]
        return list(self.rows[index])


def log_shown(user: User, page: str, shown) -> None:
    """Write what a page shows to the access log, in one insert: `shown` is (work list, its
    rows presented) pairs. A row names its young person (`youth_id`) unless the list is not
    personal; the cooperation requests from Kela are logged per request (a request may have no
    young person's record yet)."""
    youth_ids, requests = [], []
    for work_list, rows in shown:
        if work_list.requests:
            requests += rows
        elif work_list.personal:
            youth_ids += [row.youth_id for row in rows]
    access_log_page(
        user=user,
        page=page,
        youth_ids=youth_ids,
        requests=requests,
        requests_what=CooperationRequest.LOG_LIST,
    )
