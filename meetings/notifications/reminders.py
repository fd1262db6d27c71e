"""Reminders, created by the sweep from the state of the data, on Finnish working days only.

Each rule returns the rows due today. A row's `key` makes it unique per (kind, object,
recipient, date), so a second sweep creates nothing more: the key formats are stored in existing
rows and must not change.
"""

import datetime
import hashlib

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.models import Consent, SpecialServiceReferral, YouthClient
from kelayhteistyo.models import KelaContactProfile

from ..models import ActionItem, FollowUpPlan, JointMeeting, Notification, Participant
from ..models.item_link import LINK_SCOPE, owner_address, owner_language
from ..transitions import youth_to_plan
from ..workdays import add_working_days, is_working_day
from .kinds import KINDS
from .render import language_of, network_language

Kind = Notification.Kind

INVITATION_ANSWER_DAYS = 2
REVIEW_NOTICE_DAYS = 3
CONSENT_NOTICE = datetime.timedelta(days=14)
OVERDUE_WITHIN = datetime.timedelta(days=30)  # older overdue items and reviews are not reminded


def _row(
    kind, key, *, recipient=None, email="", phone="", language=None, due_at, **objects
) -> Notification:
    if not KINDS[kind].reminder:
        raise ValueError(f"{kind} is sent on an event (notify), not created as a reminder")
    return Notification(
        kind=kind,
        key=key,
        recipient=recipient,
        recipient_email=email if recipient is None else "",
        recipient_phone=phone if recipient is None else "",
        language=language or language_of(recipient),
        due_at=due_at,
        **objects,
    )


def _youth_rows(kind, key, youth, youth_by_email, youth_by_sms, now, **objects) -> list:
    """A reminder to the young person: by e-mail, and by text message (issue 19), each while
    the record has the address and a valid consent covers messages to them."""
    rows = []
    if youth.pk in youth_by_email:
        rows.append(
            _row(
                kind,
                key,
                email=youth.email,
                language=youth.service_language,
                due_at=now,
                **objects,
            )
        )
    phone = youth.light_address("sms")
    if youth.pk in youth_by_sms and phone:
        rows.append(
            _row(
                kind,
                f"{key}:sms",
                phone=phone,
                language=youth.service_language,
                due_at=now,
                **objects,
            )
        )
    return rows


def _textable(youth_ids) -> set:
    return set(YouthClient.objects.textable().filter(pk__in=youth_ids).values_list("pk", flat=True))


def _network_messageable(youth_ids) -> set:
    """The young people whose consent covers messages to their meetings' network members."""
    covering = Consent.objects.covering(Consent.Scope.NETWORK).filter(youth__in=youth_ids)
    return set(covering.values_list("youth_id", flat=True))


def _network_row(kind, key, participant, meeting, now, **objects) -> Notification:
    """A reminder by e-mail to a network member (issue 17); the address is in the key."""
    return _row(
        kind,
        f"{key}:{participant.email}"[:200],
        email=participant.email,
        language=network_language(meeting),
        due_at=now,
        meeting=meeting,
        participant=participant,
        **objects,
    )


def invitations_unanswered(today: datetime.date, now: datetime.datetime) -> list[Notification]:
    """Invitations not answered within 2 working days: the organiser, and a nudge to the
    invitee."""
    answer_by = add_working_days(today, -INVITATION_ANSWER_DAYS)
    waiting = Participant.objects.filter(
        kind=Participant.Kind.KELA_CONTACT,
        status=Participant.Status.PENDING,
        meeting__status=JointMeeting.Status.INVITED,
        invited_at__date__lte=answer_by,
    ).select_related("meeting__organiser", "user")
    rows = []
    for p in waiting:
        sent = f"{p.pk}:{p.invited_at:%Y%m%d%H%M%S}"
        rows.append(
            _row(
                Kind.INVITATION_UNANSWERED,
                f"unanswered:{sent}",
                recipient=p.meeting.organiser,
                due_at=now,
                meeting=p.meeting,
            )
        )
        rows.append(
            _row(
                Kind.INVITATION_NUDGE,
                f"nudge:{sent}",
                recipient=p.user,
                due_at=now,
                meeting=p.meeting,
            )
        )
    return rows


def meetings_soon(today: datetime.date, now: datetime.datetime) -> list[Notification]:
    """Meetings before the next working day ends ("tomorrow", or Monday on a Friday): everyone
    with an account, and the young person if their consent covers reminders."""
    soon = JointMeeting.objects.filter(
        status=JointMeeting.Status.CONFIRMED,
        starts_at__date__gt=today,
        starts_at__date__lte=add_working_days(today, 1),
    ).select_related("youth__language")
    reminders_to_youth = set(
        YouthClient.objects.messageable()
        .filter(pk__in=soon.values("youth"))
        .values_list("pk", flat=True)
    )
    texts_to_youth = _textable(soon.values("youth"))
    to_network = _network_messageable(soon.values("youth"))
    rows = []
    for meeting in soon.prefetch_related("participants__user").select_related("language"):
        day = f"{meeting.pk}:{meeting.starts_at:%Y%m%d%H%M}"
        rows += [
            _row(
                Kind.MEETING_TOMORROW,
                f"tomorrow:{day}:{p.user_id}",
                recipient=p.user,
                due_at=now,
                meeting=meeting,
            )
            for p in meeting.participants.all()
            if p.user_id and p.is_taking_part
        ]
        if meeting.youth_id in to_network:
            rows += [
                _network_row(Kind.MEETING_TOMORROW, f"tomorrow:{day}:p{p.pk}", p, meeting, now)
                for p in meeting.participants.all()
                if p.is_network_member and p.is_taking_part and p.email
            ]
        rows += _youth_rows(
            Kind.MEETING_TOMORROW,
            f"tomorrow:{day}:youth",
            meeting.youth,
            reminders_to_youth,
            texts_to_youth,
            now,
            meeting=meeting,
        )
    return rows


def action_items_due(today: datetime.date, now: datetime.datetime) -> list[Notification]:
    """Action items due on the next working day, and overdue ones (once): their owner, or the
    young person if they own it and their consent covers reminders."""
    open_items = ActionItem.objects.filter(status=ActionItem.Status.OPEN).select_related(
        "owner__user", "plan__meeting__youth__language", "plan__meeting__language"
    )
    due_items = open_items.filter(due_date__gt=today, due_date__lte=add_working_days(today, 1))
    late_items = open_items.filter(due_date__lt=today, due_date__gte=today - OVERDUE_WITHIN)
    youth_ids = {i.plan.meeting.youth_id for i in (*due_items, *late_items)}
    consenting = set(
        YouthClient.objects.messageable().filter(pk__in=youth_ids).values_list("pk", flat=True)
    )
    texting = _textable(youth_ids)
    to_network = _network_messageable(youth_ids)
    rows = []
    for kind, items in ((Kind.ITEM_DUE, due_items), (Kind.ITEM_OVERDUE, late_items)):
        rows += _to_outside_owners(kind, items, youth_ids, now)
        for item in items:
            key = f"{kind}:{item.pk}:{item.due_date:%Y%m%d}"
            objects = {"action_item": item, "meeting": item.plan.meeting}
            youth = item.plan.meeting.youth
            if item.owner.user_id:
                rows.append(_row(kind, key, recipient=item.owner.user, due_at=now, **objects))
            elif item.owner.is_network_member:
                owner = item.owner
                if owner.is_taking_part and owner.email and youth.pk in to_network:
                    rows.append(
                        _network_row(kind, key, owner, item.plan.meeting, now, action_item=item)
                    )
            elif item.owner.kind == Participant.Kind.YOUNG_PERSON:
                rows += _youth_rows(kind, key, youth, consenting, texting, now, **objects)
    return rows


OWNER_KINDS = {Kind.ITEM_DUE: Kind.OWNER_ITEM_DUE, Kind.ITEM_OVERDUE: Kind.OWNER_ITEM_OVERDUE}


def _to_outside_owners(kind, items, youth_ids, now) -> list[Notification]:
    """The same reminder to an outside owner with an address (a network member, a named
    outside service), with their signed link, while a consent covers it and the cooperation
    goes on (ItemLink.refusal)."""
    covered = set(
        Consent.objects.covering(LINK_SCOPE)
        .filter(youth__in=youth_ids)
        .values_list("youth_id", flat=True)
    )
    rows = []
    for item in items:
        meeting = item.plan.meeting
        address = owner_address(item)
        if (
            address is None
            or meeting.youth_id not in covered
            or meeting.status not in JointMeeting.AWAITING_REVIEW
            or meeting.organisation_id != meeting.youth.organisation_id
        ):
            continue
        rows.append(
            _row(
                OWNER_KINDS[kind],
                # The address in the key as a digest: it changes with the owner, fits the key.
                f"{OWNER_KINDS[kind]}:{item.pk}:{item.due_date:%Y%m%d}:"
                + hashlib.sha256(address[0].encode()).hexdigest()[:16],
                email=address[0],
                language=owner_language(item),
                due_at=now,
                action_item=item,
                meeting=meeting,
            )
        )
    return rows


def escalation_due_by(today: datetime.date, workdays: int) -> datetime.date:
    """The latest due date that is `workdays` working days past today: an item due on a day
    off counts from the next working day (add_working_days(due, n) <= today)."""
    last = add_working_days(today, -workdays)
    while not is_working_day(last + datetime.timedelta(days=1)):
        last += datetime.timedelta(days=1)
    return last


def items_escalate(today: datetime.date, now: datetime.datetime) -> list[Notification]:
    """Open action items still not done ACTION_ITEM_ESCALATION_WORKDAYS working days after
    their due date: once per item and due date (a moved date is a new agreement) to the young
    person's responsible worker, while the cooperation goes on and a consent still covers it
    (withdrawn: the worker's ground to chase it ended)."""
    workdays = settings.ACTION_ITEM_ESCALATION_WORKDAYS
    consent = Consent.objects.covering(Consent.Scope.KELA_MEETING).filter(
        youth=OuterRef("plan__meeting__youth_id")
    )
    items = (
        ActionItem.objects.filter(
            status=ActionItem.Status.OPEN,
            due_date__lte=escalation_due_by(today, workdays),
            due_date__gte=today - OVERDUE_WITHIN,
            plan__meeting__status__in=JointMeeting.AWAITING_REVIEW,
        )
        .filter(Exists(consent))
        .select_related("plan__meeting__youth__responsible_worker")
    )
    return [
        _row(
            Kind.ITEM_ESCALATED,
            f"escalated:{item.pk}:{item.due_date:%Y%m%d}",
            recipient=item.plan.meeting.youth.responsible_worker,
            due_at=now,
            action_item=item,
            meeting=item.plan.meeting,
        )
        for item in items
    ]


def reviews_due(today: datetime.date, now: datetime.datetime) -> list[Notification]:
    """Every review round within 3 working days, and overdue ones (once per review date): the
    responsible worker, and the Kela contacts taking part while cooperation with Kela
    continues. A round is the plan's current review date: a review moves it on."""
    plans = FollowUpPlan.objects.filter(
        meeting__status__in=JointMeeting.AWAITING_REVIEW
    ).select_related("meeting__youth__responsible_worker")
    review_by = add_working_days(today, REVIEW_NOTICE_DAYS)
    rows = []
    for kind, due_plans in (
        (Kind.REVIEW_DUE, plans.filter(review_date__gt=today, review_date__lte=review_by)),
        (
            Kind.REVIEW_OVERDUE,
            plans.filter(review_date__lt=today, review_date__gte=today - OVERDUE_WITHIN),
        ),
    ):
        for plan in due_plans.prefetch_related("meeting__participants__user"):
            key = f"{kind}:{plan.pk}:{plan.review_date:%Y%m%d}"
            recipients = [plan.meeting.youth.responsible_worker]
            if plan.kela_cooperation == FollowUpPlan.KelaCooperation.YES:
                recipients += [
                    p.user
                    for p in plan.meeting.participants.all()
                    if p.kind == Participant.Kind.KELA_CONTACT and p.user_id and p.is_taking_part
                ]
            rows += [
                _row(
                    kind,
                    f"{key}:{user.pk}",
                    recipient=user,
                    due_at=now,
                    plan=plan,
                    meeting=plan.meeting,
                )
                for user in recipients
            ]
    return rows


def consents_expiring(today: datetime.date, now: datetime.datetime) -> list[Notification]:
    """Consents that expire in 14 days (or sooner, if recorded so): the responsible worker."""
    expiring = (
        Consent.objects.valid(today)
        .filter(valid_until__gt=today, valid_until__lte=today + CONSENT_NOTICE)
        .select_related("youth__responsible_worker")
    )
    return [
        _row(
            Kind.CONSENT_EXPIRING,
            f"consent:{consent.pk}:{consent.valid_until:%Y%m%d}",
            recipient=consent.youth.responsible_worker,
            due_at=now,
            consent=consent,
        )
        for consent in expiring
    ]


def transitions_due(today: datetime.date, now: datetime.datetime) -> list[Notification]:
    """Aftercare ends within TRANSITION_NOTICE_MONTHS months and no plan records where the young
    person moves to: the responsible worker, once per young person and end date (a moved end
    date is a new one)."""
    youth = youth_to_plan(today).filter(responsible_worker__is_active=True)
    return [
        _row(
            Kind.TRANSITION_DUE,
            f"transition:{y.pk}:{y.aftercare_ends_on:%Y%m%d}",
            recipient=y.responsible_worker,
            due_at=now,
            youth=y,
        )
        for y in youth.select_related("responsible_worker")
    ]


def referral_contacts(referrals) -> dict:
    """Who at Kela a referral waits for, by referral: the contact who took it, else the named
    one, else every active contact serving the referral's county (two queries in all)."""
    counties = {r.county_id for r in referrals if not r.taken_by_id and not r.named_contact_id}
    by_county: dict = {}
    profiles = (
        KelaContactProfile.objects.active()
        .filter(areas__in=counties)
        .select_related("user")
        .prefetch_related("areas")
    )
    for profile in profiles.distinct():
        for area in profile.areas.all():
            by_county.setdefault(area.pk, []).append(profile.user)
    return {
        r.pk: [r.taken_by]
        if r.taken_by_id
        else [r.named_contact]
        if r.named_contact_id
        else by_county.get(r.county_id, [])
        for r in referrals
    }


def referrals_unassessed(today: datetime.date, now: datetime.datetime) -> list[Notification]:
    """Special-service referrals not assessed REFERRAL_ASSESSMENT_WORKDAYS working days after
    they were sent (nobody took them) or after Kela took them: a reminder to Kela (whoever it
    waits for: referral_contacts) and a notice to the referring worker — once per referral and
    step (the step is in the key), and only while the consent covers the referral (a withdrawn
    consent ended Kela's access: no reminder carries the referral any more)."""
    since = escalation_due_by(today, settings.REFERRAL_ASSESSMENT_WORKDAYS)
    Status = SpecialServiceReferral.Status
    referrals = list(
        SpecialServiceReferral.objects.consented(today)
        .filter(
            Q(status=Status.REFERRED, referred_at__date__lte=since)
            | Q(status=Status.TAKEN, taken_at__date__lte=since)
        )
        .select_related("taken_by", "named_contact", "referred_by")
    )
    contacts = referral_contacts(referrals)
    rows = []
    for referral in referrals:
        step = referral.status
        rows += [
            _row(
                Kind.REFERRAL_UNASSESSED,
                f"referral_unassessed:{referral.pk}:{user.pk}:{step}",
                recipient=user,
                due_at=now,
                special_referral=referral,
            )
            for user in contacts[referral.pk]
            if user.is_active
        ]
        if referral.referred_by.is_active:
            rows.append(
                _row(
                    Kind.REFERRAL_WAITING,
                    f"referral_waiting:{referral.pk}:{referral.referred_by_id}:{step}",
                    recipient=referral.referred_by,
                    due_at=now,
                    special_referral=referral,
                )
            )
    return rows


RULES = (
    invitations_unanswered,
    meetings_soon,
    action_items_due,
    items_escalate,
    reviews_due,
    consents_expiring,
    transitions_due,
    referrals_unassessed,
)


def reminders_create(now: datetime.datetime | None = None) -> int:
    """Create today's reminders from the data (working days only); existing ones are kept."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    rows = [row for rule in RULES for row in rule(today, now)]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
