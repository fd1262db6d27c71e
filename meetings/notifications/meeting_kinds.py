"""The kinds of notification of the meetings app, one entry each: what the message says (the
young person's first name only), whether it can be turned off, when it is moot, where it leads.

The feedback request is declared by feedback (feedback/notifications.py).
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases.models import Consent

from .. import calendar
from ..models import ActionItem, JointMeeting, Notification, Participant
from ..models.item_link import item_closed_for_owner, item_link_get, owner_address
from ..transitions import youth_to_plan
from .kinds import KindSpec, register

Kind = Notification.Kind


# Still needed? (the reason it is not, or "") -----------------------------------------------------


def invitation_waiting(n: Notification) -> str:
    meeting = n.meeting
    still_waiting = meeting.participants.filter(
        kind=Participant.Kind.KELA_CONTACT, status=Participant.Status.PENDING
    ).exists()
    if meeting.status != JointMeeting.Status.INVITED or not still_waiting:
        return "answered"
    return ""


def meeting_sent(n: Notification) -> str:
    return "" if n.meeting.is_sent else "meeting not open"


def meeting_confirmed(n: Notification) -> str:
    return "" if n.meeting.status == JointMeeting.Status.CONFIRMED else "meeting not confirmed"


def item_open(n: Notification) -> str:
    item = ActionItem.objects.filter(pk=n.action_item_id).first()
    if item is not None and item.status == ActionItem.Status.OPEN:
        return ""
    return "cancelled" if item is not None and item.is_cancelled else "done"


def item_still_followed(n: Notification) -> str:
    """An escalation: the item is still open, the cooperation goes on, a consent covers it,
    and the worker still sees the meeting (see reminders.items_escalate)."""
    meeting = n.meeting
    if meeting.status not in JointMeeting.AWAITING_REVIEW:
        return "cooperation ended"
    consent = Consent.objects.covering(Consent.Scope.KELA_MEETING).filter(youth=meeting.youth_id)
    if not consent.exists():
        return "no access any more (consent)"
    if not JointMeeting.objects.visible_to(n.recipient).filter(pk=meeting.pk).exists():
        return "no access any more"
    return item_open(n)


def review_round(n: Notification) -> datetime.date:
    """The review date a review reminder is about: the one in its key (see
    reminders.reviews_due), not the plan's date now, which later rounds move on."""
    day = n.key.split(":")[2]
    return datetime.date(int(day[:4]), int(day[4:6]), int(day[6:]))


def round_not_reviewed(n: Notification) -> str:
    """The round the reminder is about is still the plan's next one: a review moves the date
    on, or ends the cooperation."""
    plan = n.plan
    if plan.meeting.status not in JointMeeting.AWAITING_REVIEW:
        return "cooperation ended"
    if plan.review_date != review_round(n):
        return "reviewed or moved"
    return ""


def consent_valid(n: Notification) -> str:
    return "" if n.consent.is_valid else "consent withdrawn or expired"


def owner_link_works(n: Notification) -> str:
    """A message to an outside owner: they still own the item at this address, it is open,
    and a consent still covers it (see ItemLink.refusal)."""
    item = ActionItem.objects.select_related("owner", "plan__meeting__youth").get(
        pk=n.action_item_id
    )
    address = owner_address(item)
    if address is None or address[0] != n.recipient_email:
        return "owner changed"
    return item_closed_for_owner(item)


def owner_link(n: Notification) -> dict:
    """The signed link in an outside owner's e-mail, made fresh: it works ITEM_LINK_DAYS from
    this e-mail."""
    link = item_link_get(n.action_item)
    until = timezone.localdate() + datetime.timedelta(days=settings.ITEM_LINK_DAYS)
    return {
        "to_young_person": False,
        "item_url": link.url() if link else "",
        "item_until": date_format(until, "SHORT_DATE_FORMAT"),
    }


# Links (the meeting page unless said otherwise) -----------------------------------------------


def review_page(n: Notification) -> str:
    """The worker records the review from the plan; Kela sees the plan and its reviews on the
    meeting page (while the consent covers sharing it), the plan page is workers' only."""
    if n.recipient_id and n.recipient.is_aftercare_worker:
        return reverse("meetings:plan", args=[n.plan.meeting_id])
    return reverse("meetings:detail", args=[n.plan.meeting_id])


def item_page(n: Notification) -> str:
    """The aftercare worker ticks tasks on the plan; a Kela contact sees them on the meeting."""
    if n.recipient_id and n.recipient.is_aftercare_worker:
        return reverse("meetings:plan", args=[n.meeting_id])
    return reverse("meetings:detail", args=[n.meeting_id])


def youth_page(n: Notification) -> str:
    return reverse("cases:detail", args=[n.youth_id or n.consent.youth_id])


def transition_still_open(n: Notification) -> str:
    """The end date in the key is still the young person's, and no plan records where they
    move to (meetings.transitions)."""
    youth = n.youth
    if youth.status != youth.Status.ACTIVE:
        return "record closed"
    if f"{youth.aftercare_ends_on:%Y%m%d}" != n.key.split(":")[2]:
        return "end date moved"
    if not youth_to_plan(timezone.localdate()).filter(pk=youth.pk).exists():
        return "planned"
    return ""


def calendar_if_coming(n: Notification) -> str | None:
    """A meeting still to come is updated in the calendars (its organiser changed)."""
    return calendar.REQUEST if n.meeting.is_sent else None


# Events ---------------------------------------------------------------------------------------

register(
    KindSpec(
        Kind.INVITATION,
        subject=_("Invitation to a joint meeting"),
        text=_("You are invited to a joint meeting with %(name)s on %(when)s. Please answer."),
        still_needed=invitation_waiting,
        # The invitation itself holds the time in the calendar (TENTATIVE, NEEDS-ACTION).
        calendar_method=calendar.REQUEST,
    )
)
register(
    KindSpec(
        Kind.INVITATION_ANSWERED,
        subject=_("Answer to your invitation"),
        text=_("%(who)s answered your invitation to the meeting with %(name)s on %(when)s."),
    )
)
register(
    KindSpec(
        Kind.INVITATION_PASSED,
        subject=_("Invitation passed to a substitute"),
        text=_(
            "%(who)s is away: the invitation to the meeting with %(name)s on %(when)s was "
            "passed to their substitute, who is asked to answer."
        ),
    )
)
register(
    KindSpec(
        Kind.TIME_PROPOSED,
        subject=_("Another time proposed"),
        text=_("%(who)s proposed another time for the meeting with %(name)s: %(proposed)s."),
    )
)
register(
    KindSpec(
        Kind.MEETING_CONFIRMED,
        subject=_("Joint meeting confirmed"),
        text=_(
            "The joint meeting with %(name)s on %(when)s is confirmed. A calendar file is attached."
        ),
        calendar_method=calendar.REQUEST,
    )
)
register(
    KindSpec(
        Kind.MEETING_CHANGED,
        subject=_("Joint meeting changed"),
        text=_(
            "The joint meeting with %(name)s has changed. It is now on %(when)s. "
            "A calendar file is attached."
        ),
        calendar_method=calendar.REQUEST,
    )
)
register(
    KindSpec(
        Kind.MEETING_CANCELLED,
        subject=_("Joint meeting cancelled"),
        text=_("The joint meeting with %(name)s on %(when)s has been cancelled."),
        calendar_method=calendar.CANCEL,
        sent_when_cancelled=True,
    )
)

# Taking part recorded by the worker (Kela did not answer in the app, or the meeting was
# recorded afterwards): Kela is told and may say it did not take part; the worker hears of it.
register(
    KindSpec(
        Kind.TAKING_PART_RECORDED,
        subject=_("You were recorded as taking part in a joint meeting"),
        text=_(
            "The aftercare worker recorded that you took part in the joint meeting with "
            "%(name)s on %(when)s. If you did not take part, say so on the meeting page."
        ),
    )
)
register(
    KindSpec(
        Kind.TAKING_PART_DENIED,
        subject=_("A participant says they did not take part"),
        text=_(
            "%(who)s says they did not take part in the joint meeting with %(name)s on "
            "%(when)s. Check the meeting and its plan."
        ),
    )
)
register(
    KindSpec(
        Kind.OWNER_ITEM_UPDATED,
        subject=_("An action item was updated by its outside owner"),
        text=_(
            "%(owner)s updated “%(what)s” in the plan made with %(name)s through the link sent "
            "to them. See the plan."
        ),
        link=item_page,
    )
)
# To the outside owner (no account): no name of the young person, the link to their item only.
register(
    KindSpec(
        Kind.OWNER_ITEM_LINK,
        subject=_("An action item for you"),
        text=_(
            "In a follow-up plan made in a joint meeting you agreed to do this: “%(what)s” "
            "(due date: %(day)s). With the link below you can mark it done, or say why it is "
            "not done yet and propose a new date. No account is needed."
        ),
        still_needed=owner_link_works,
        email_extras=owner_link,
        outside_owner=True,
    )
)

# To the network members without an account (issue 17), by e-mail: the invitation (with the
# calendar file; they do not answer in the app), and the plain-language plan. The changes and
# reminders are the kinds above (delivery.notify_participants, reminders.py).
register(
    KindSpec(
        Kind.NETWORK_INVITATION,
        subject=_("Invitation to a joint meeting"),
        text=_(
            "%(organiser)s invites you to a joint meeting of aftercare and Kela with %(name)s "
            "on %(when)s. A calendar file is attached. If you cannot come, please tell "
            "%(organiser)s (%(organiser_email)s)."
        ),
        still_needed=meeting_sent,
        calendar_method=calendar.REQUEST,
    )
)
# A hand-over (services.handover): the others in a meeting hear who their contact person now
# is (with the updated calendar entry for a meeting still to come); the new worker hears it.
register(
    KindSpec(
        Kind.CONTACT_CHANGED,
        subject=_("New contact person in aftercare"),
        text=_(
            "The aftercare worker of %(name)s has changed. For the joint meeting on %(when)s "
            "your contact person is now %(contact)s."
        ),
        youth_text=_(
            "Hi %(name)s! Your aftercare worker has changed. Your contact person is now "
            "%(contact)s."
        ),
        calendar_method=calendar_if_coming,
    )
)
register(
    KindSpec(
        Kind.NETWORK_PLAN,
        subject=_("The follow-up plan of the joint meeting"),
        text=_(
            "The follow-up plan agreed in the joint meeting with %(name)s on %(when)s is "
            "attached, in plain language. Keep it safe: it is about the young person's matters."
        ),
    )
)
register(
    KindSpec(
        Kind.YOUTH_HANDED_OVER,
        subject=_("A young person was handed over to you"),
        text=_(
            "You are now the responsible worker of %(name)s. Their open joint meetings, the "
            "previous worker's tasks in their plans and the reminders not yet sent are now "
            "yours."
        ),
        link=youth_page,
    )
)

# From the young person's own page (issue 19), to the responsible worker ----------------------
register(
    KindSpec(
        Kind.OWN_ITEM_DONE,
        subject=_("A young person marked a task done"),
        text=_("%(name)s marked “%(what)s” done on their own page."),
        link=item_page,
    )
)
register(
    KindSpec(
        Kind.OWN_HELP,
        subject=_("A young person asks for help"),
        text=_(
            "%(name)s says on their own page: “I need help with this” about “%(what)s”. "
            "Please get in touch with them."
        ),
        still_needed=item_open,
        link=item_page,
    )
)
register(
    KindSpec(
        Kind.OWN_WITHDRAWAL,
        subject=_("A young person asks to withdraw a consent"),
        text=_(
            "%(name)s asked on their own page to withdraw a consent. Go through it with them "
            "and record the withdrawal on their record."
        ),
        still_needed=consent_valid,
        link=youth_page,
    )
)

# Reminders (reminders.py creates them) ---------------------------------------------------------

register(
    KindSpec(
        Kind.INVITATION_UNANSWERED,
        subject=_("An invitation has not been answered"),
        text=_(
            "%(who)s has not answered the invitation to the meeting with %(name)s on %(when)s. "
            "You may want to call them."
        ),
        reminder=True,
        mutable=True,
        still_needed=invitation_waiting,
    )
)
register(
    KindSpec(
        Kind.INVITATION_NUDGE,
        subject=_("Please answer the invitation"),
        text=_(
            "The invitation to the meeting with %(name)s on %(when)s is waiting for your answer."
        ),
        reminder=True,
        still_needed=invitation_waiting,
    )
)
register(
    KindSpec(
        Kind.MEETING_TOMORROW,
        subject=_("Joint meeting soon"),
        text=_("Reminder: the joint meeting with %(name)s is on %(when)s."),
        youth_text=_("Hi %(name)s! You have a meeting with Kela and aftercare on %(when)s."),
        reminder=True,
        mutable=True,
        still_needed=meeting_confirmed,
    )
)
register(
    KindSpec(
        Kind.ITEM_DUE,
        subject=_("A task is due soon"),
        text=_("Reminder: “%(what)s” is due on %(day)s."),
        youth_text=_("Hi %(name)s! Remember: “%(what)s”. Do it by %(day)s."),
        reminder=True,
        mutable=True,
        still_needed=item_open,
        link=item_page,
    )
)
register(
    KindSpec(
        Kind.ITEM_OVERDUE,
        subject=_("A task is overdue"),
        text=_("“%(what)s” was due on %(day)s and is not marked done."),
        youth_text=_("Hi %(name)s! “%(what)s” was due on %(day)s. Is it done?"),
        reminder=True,
        mutable=True,
        still_needed=item_open,
        link=item_page,
    )
)
register(
    KindSpec(
        Kind.ITEM_ESCALATED,
        subject=_("An action item is still not done"),
        text=_(
            "“%(what)s” in the plan made with %(name)s was due on %(day)s and is still not "
            "done. You are the responsible worker: check with whoever does it (%(owner)s)."
        ),
        reminder=True,
        # Sent once, to the one who answers for the plan: not something to turn off.
        mutable=False,
        still_needed=item_still_followed,
        link=item_page,
    )
)
register(
    KindSpec(
        Kind.REVIEW_DUE,
        subject=_("A review is coming up"),
        text=_("The review of the plan made with %(name)s is on %(day)s."),
        reminder=True,
        mutable=True,
        still_needed=round_not_reviewed,
        link=review_page,
    )
)
register(
    KindSpec(
        Kind.REVIEW_OVERDUE,
        subject=_("A review is overdue"),
        text=_("The review of the plan made with %(name)s was due on %(day)s."),
        reminder=True,
        mutable=True,
        still_needed=round_not_reviewed,
        link=review_page,
    )
)
register(
    KindSpec(
        Kind.TRANSITION_DUE,
        subject=_("Plan the hand-over to adult services"),
        text=_(
            "The aftercare of %(name)s ends on %(day)s. Plan with them which services they move "
            "to, and record it in a follow-up plan."
        ),
        reminder=True,
        mutable=True,
        still_needed=transition_still_open,
        link=youth_page,
    )
)
register(
    KindSpec(
        Kind.CONSENT_EXPIRING,
        subject=_("A consent is about to expire"),
        text=_("The consent of %(name)s expires on %(day)s. Ask whether they want to renew it."),
        reminder=True,
        mutable=True,
        still_needed=consent_valid,
        link=youth_page,
    )
)
register(
    KindSpec(
        Kind.OWNER_ITEM_DUE,
        subject=_("An action item is due soon"),
        text=_(
            "Reminder: “%(what)s” is due on %(day)s. With the link below you can mark it done, "
            "or say why it is not done yet and propose a new date."
        ),
        reminder=True,
        still_needed=owner_link_works,
        email_extras=owner_link,
        outside_owner=True,
    )
)
register(
    KindSpec(
        Kind.OWNER_ITEM_OVERDUE,
        subject=_("An action item is overdue"),
        text=_(
            "“%(what)s” was due on %(day)s and is not marked done. With the link below you can "
            "mark it done, or say why it is not done yet and propose a new date."
        ),
        reminder=True,
        still_needed=owner_link_works,
        email_extras=owner_link,
        outside_owner=True,
    )
)
