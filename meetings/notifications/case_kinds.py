"""Kela as a partner (issue 18): the messages about cooperation requests from Kela and about
referrals to Kela's special service. Like every other message, they carry the young person's
first name at most and link to the page (login needed); what was written (the reason for
declining, the assessment) is on the page, never in the e-mail.

The step a message is about (taken, declined, booked; assessed, ended) is the last part of its
key (`step_of`): the message says what happened then, not what the state is when it is sent.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import CooperationRequest, SpecialServiceReferral

from ..models import Notification
from .kinds import KindSpec, register

Kind = Notification.Kind
RequestStatus = CooperationRequest.Status
ReferralStatus = SpecialServiceReferral.Status


def step_of(n: Notification) -> str:
    return n.key.rsplit(":", 1)[-1]


REQUEST_STEPS = {
    RequestStatus.TAKEN: _("a worker of the unit took it and will contact the young person."),
    RequestStatus.DECLINED: _("the unit declined it. The reason is on the request's page."),
    RequestStatus.BOOKED: _("a joint meeting was booked."),
}
REFERRAL_STEPS = {
    ReferralStatus.TAKEN: _("Kela took it and is assessing the need."),
    "assessed": _("Kela recorded the assessment. It is on the referral's page."),
    ReferralStatus.ENDED: _("the special service ended. The hand-over is on the referral's page."),
}


def case_context(n: Notification) -> dict:
    """The values of these kinds' texts (meetings.notifications.render.context)."""
    values: dict = {}
    if n.cooperation_request_id:
        coop = n.cooperation_request
        values["name"] = coop.first_name
        values["unit"] = coop.organisation.name
        values["step"] = REQUEST_STEPS.get(step_of(n), "")
    if n.special_referral_id:
        values["name"] = n.special_referral.youth.first_name
        values["step"] = REFERRAL_STEPS.get(step_of(n), "")
    return values


def request_page(n: Notification) -> str:
    return reverse("requests:detail", args=[n.cooperation_request_id])


def referral_page(n: Notification) -> str:
    return reverse("special_service:detail", args=[n.special_referral_id])


# Still needed? ---------------------------------------------------------------------------------


def _request_visible(n: Notification) -> bool:
    requests = CooperationRequest.objects.visible_to(n.recipient).not_erased()
    return requests.filter(pk=n.cooperation_request_id).exists()


def request_waiting(n: Notification) -> str:
    """A new request is worth telling while nobody has taken it (and it has not expired)."""
    if not _request_visible(n):
        return "no access"
    if n.cooperation_request.state != RequestStatus.SENT:
        return "taken or answered"
    return ""


def request_readable(n: Notification) -> str:
    return "" if _request_visible(n) else "no access"


def _referral_visible(n: Notification) -> bool:
    """Kela sees a referral only while the consent holds (visible_to); the worker sees Kela's
    steps only while it holds, too."""
    referrals = SpecialServiceReferral.objects.visible_to(n.recipient).consented()
    return referrals.filter(pk=n.special_referral_id).exists()


def referral_readable(n: Notification) -> str:
    return "" if _referral_visible(n) else "no access any more (consent)"


def referral_still_at_step(n: Notification) -> str:
    """A new referral or a reminder: still waiting at the step it was made for."""
    if not _referral_visible(n):
        return "no access any more (consent)"
    if n.special_referral.status != step_of(n):
        return "moved on"
    return ""


register(
    KindSpec(
        Kind.REQUEST_RECEIVED,
        subject=_("A cooperation request from Kela"),
        text=_(
            "Kela asks your unit to contact a young person. Take the request on its page, or "
            "decline it with a reason."
        ),
        mutable=True,
        still_needed=request_waiting,
        link=request_page,
    )
)
register(
    KindSpec(
        Kind.REQUEST_ANSWERED,
        subject=_("Your cooperation request was answered"),
        text=_("Your cooperation request about %(name)s to %(unit)s: %(step)s"),
        still_needed=request_readable,
        link=request_page,
    )
)
register(
    KindSpec(
        Kind.REFERRAL_RECEIVED,
        subject=_("A referral to the special service"),
        text=_(
            "An aftercare worker asks Kela to assess whether %(name)s needs the special "
            "service. Take the referral on its page."
        ),
        still_needed=referral_still_at_step,
        link=referral_page,
    )
)
register(
    KindSpec(
        Kind.REFERRAL_STEP,
        subject=_("News of a special service referral"),
        text=_("The special service referral of %(name)s: %(step)s"),
        still_needed=referral_readable,
        link=referral_page,
    )
)
register(
    KindSpec(
        Kind.REFERRAL_UNASSESSED,
        subject=_("A special service referral waits for the assessment"),
        text=_(
            "The special service referral of %(name)s has not been assessed yet. The worker "
            "who referred them is waiting for the assessment."
        ),
        reminder=True,
        mutable=True,
        still_needed=referral_still_at_step,
        link=referral_page,
    )
)
register(
    KindSpec(
        Kind.REFERRAL_WAITING,
        subject=_("Your special service referral is still waiting"),
        text=_(
            "Kela has not yet assessed the special service referral of %(name)s. Kela's contact "
            "persons were reminded."
        ),
        reminder=True,
        mutable=True,
        still_needed=referral_still_at_step,
        link=referral_page,
    )
)
