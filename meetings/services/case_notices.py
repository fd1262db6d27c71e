"""The messages of Kela's cooperation requests and special-service referrals (issue 18). The
services of cases call these, deferred, after the change (the one step up the layers that
consent withdrawal takes too); the rows are made in the caller's transaction and sent after
commit (meetings.notifications.notify)."""

from cases.models import CooperationRequest, SpecialServiceReferral
from kelayhteistyo.models import KelaContactProfile, User

from .. import notifications
from ..models import Notification

Kind = Notification.Kind
RequestStatus = CooperationRequest.Status
ReferralStatus = SpecialServiceReferral.Status


def cooperation_request_notify(request: CooperationRequest, step: str) -> None:
    """A new request: every active worker of the unit (those who may see it; each may turn
    these off in the reminder settings). An answer (taken, declined, booked): the Kela contact
    who sent it."""
    if step == RequestStatus.SENT:
        workers = User.objects.filter(
            organisation_id=request.organisation_id,
            role=User.Role.AFTERCARE_WORKER,
            is_active=True,
        )
        for worker in workers:
            notifications.notify(
                Kind.REQUEST_RECEIVED,
                recipient=worker,
                key_suffix=f"{request.pk}:{step}",
                cooperation_request=request,
            )
        return
    notifications.notify(
        Kind.REQUEST_ANSWERED,
        recipient=request.sent_by,
        key_suffix=f"{request.pk}:{step}",
        cooperation_request=request,
    )


def special_referral_notify(referral: SpecialServiceReferral, step: str) -> None:
    """A new referral: the named Kela contact, or every active contact serving the young
    person's county. A step (taken, assessed, ended): the referring worker."""
    if step == ReferralStatus.REFERRED:
        if referral.named_contact_id:
            kela = [referral.named_contact]
        else:
            kela = [
                profile.user
                for profile in KelaContactProfile.objects.active()
                .filter(areas=referral.county_id)
                .select_related("user")
            ]
        for contact in kela:
            notifications.notify(
                Kind.REFERRAL_RECEIVED,
                recipient=contact,
                key_suffix=f"{referral.pk}:{step}",
                special_referral=referral,
            )
        return
    notifications.notify(
        Kind.REFERRAL_STEP,
        recipient=referral.referred_by,
        key_suffix=f"{referral.pk}:{step}",
        special_referral=referral,
    )
