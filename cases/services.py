"""Operations on young people and their consent."""

import contextlib
import datetime
import logging
import smtplib
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from kelayhteistyo.access import access_log_own, access_log_request, access_log_write
from kelayhteistyo.models import AccessLog, Organisation, User
from kelayhteistyo.sms import SmsError, send_sms

from . import light
from .models import (
    Consent,
    CooperationRequest,
    OwnLightLink,
    SpecialServiceReferral,
    WorkerHandover,
    YouthClient,
)


@transaction.atomic
def youth_save(*, youth: YouthClient, by: User) -> YouthClient:
    """Create or update a young person's record; a new responsible worker is a handover."""
    creating = youth._state.adding
    if creating:
        if by.organisation_id is None:  # role_required lets no one without one this far
            raise PermissionDenied
        youth.organisation_id = by.organisation_id
    else:
        previous = YouthClient.objects.select_for_update().get(pk=youth.pk)
        if previous.responsible_worker_id != youth.responsible_worker_id:
            # A new responsible worker moves meetings and messages too: the hand-over does it
            # (meetings.services.youth_hand_over), not a save of the record.
            raise ValidationError(
                {"responsible_worker": _("Change the responsible worker with the hand-over.")}
            )
    youth.full_clean()
    youth.save()
    action = AccessLog.Action.CREATE if creating else AccessLog.Action.CHANGE
    access_log_write(user=by, youth_id=youth.pk, action=action, obj=youth)
    return youth


def handover_check(*, youth: YouthClient, to_worker: User | None) -> None:
    """Whether `to_worker` may take the young person over: an active aftercare worker of the
    young person's own organisation, not the one already responsible (else a message)."""
    if to_worker is None:
        raise ValidationError({"to_worker": _("Choose the new responsible worker.")})
    if to_worker.organisation_id != youth.organisation_id:
        raise ValidationError(
            {
                "to_worker": _(
                    "A young person cannot be handed over to a worker of another organisation. "
                    "Choose a worker of your own organisation."
                )
            }
        )
    if not (to_worker.is_active and to_worker.is_aftercare_worker):
        raise ValidationError({"to_worker": _("Choose an active aftercare worker.")})
    if to_worker.pk == youth.responsible_worker_id:
        raise ValidationError(
            {
                "to_worker": _("%(name)s is already the responsible worker.")
                % {"name": to_worker.get_full_name()}
            }
        )


@transaction.atomic
def handover_record(*, youth: YouthClient, to_worker: User | None, by: User) -> WorkerHandover:
    """Make `to_worker` the responsible worker and keep the change as history (who, from whom,
    when, recorded by whom). The record only: meetings.services.youth_hand_over calls this and
    moves the meetings and messages."""
    youth = YouthClient.objects.select_for_update().get(pk=youth.pk)
    handover_check(youth=youth, to_worker=to_worker)
    assert to_worker is not None  # noqa: S101 — handover_check refuses None
    handover = WorkerHandover.objects.create(
        youth=youth,
        from_worker_id=youth.responsible_worker_id,
        to_worker=to_worker,
        recorded_by=by,
    )
    youth.responsible_worker = to_worker
    youth.save(update_fields=["responsible_worker"])
    access_log_write(user=by, youth_id=youth.pk, action=AccessLog.Action.CHANGE, obj=youth)
    return handover


@transaction.atomic
def consent_record(*, consent: Consent, by: User) -> Consent:
    """Record a new consent. Earlier consents stay as they were: history is never rewritten."""
    consent.recorded_by = by
    consent.full_clean()
    consent.save()
    access_log_write(
        user=by, youth_id=consent.youth_id, action=AccessLog.Action.CREATE, obj=consent
    )
    return consent


class Withdrawal(NamedTuple):
    consent: Consent
    cancelled: list  # the joint meetings cancelled because of it (participants told)


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User, note: str = "") -> Withdrawal:
    """Withdraw a consent. Pending and confirmed joint meetings that rested on it are cancelled
    unless another valid consent still covers them, which ends the Kela contact's access now."""
    # Deliberately deferred: the one step up the layers, as withdrawal cancels meetings.
    from meetings.services import meetings_cancel_on_withdrawal

    updated = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=by, withdrawal_note=note
    )
    if not updated:
        raise ValidationError(_("This consent has already been withdrawn."))
    consent.refresh_from_db()
    access_log_write(
        user=by, youth_id=consent.youth_id, action=AccessLog.Action.CHANGE, obj=consent
    )
    cancelled = meetings_cancel_on_withdrawal(consent=consent, by=by)
    return Withdrawal(consent, cancelled)


# --- Cooperation requests from Kela (issue 18) ------------------------------------------------

Request = CooperationRequest
RequestStatus = CooperationRequest.Status


def kela_serves(user: User, organisation: Organisation) -> bool:
    """Whether the Kela contact's areas include the unit's county (a national unit: yes)."""
    if organisation.county_id is None:
        return True
    profile = getattr(user, "kela_profile", None)
    return profile is not None and profile.areas.filter(pk=organisation.county_id).exists()


def _log(request: CooperationRequest, by: User, action: str) -> None:
    access_log_request(user=by, action=action, requests=[request], what=Request.LOG_OBJECT)


def _tell(request: CooperationRequest, step: str) -> None:
    """The e-mail of a step (new request → the unit's workers; an answer → Kela)."""
    # Deliberately deferred: the one step up the layers, as in consent_withdraw.
    from meetings.services import cooperation_request_notify

    cooperation_request_notify(request, step)


def _tell_referral(referral: SpecialServiceReferral, step: str) -> None:
    """The e-mail of a referral's step (new → Kela; Kela's steps → the referring worker)."""
    # Deliberately deferred: the one step up the layers, as in consent_withdraw.
    from meetings.services import special_referral_notify

    special_referral_notify(referral, step)


@transaction.atomic
def cooperation_request_send(*, request: CooperationRequest, by: User) -> CooperationRequest:
    """A Kela contact asks an aftercare unit to contact a young person. A unit outside the
    contact's areas is allowed (the view warns: kela_serves)."""
    if not by.is_kela_contact:
        raise PermissionDenied
    if request.organisation.kind != Organisation.Kind.AFTERCARE:
        raise ValidationError(_("Choose an aftercare unit."))
    now = timezone.now()
    request.sent_by = by
    request.sent_at = now
    request.expires_at = now + datetime.timedelta(days=settings.COOPERATION_REQUEST_DAYS)
    request.status = RequestStatus.SENT
    request.full_clean()
    request.save()
    _log(request, by, AccessLog.Action.CREATE)
    _tell(request, RequestStatus.SENT)
    return request


def _change(request: CooperationRequest, allowed: Q, **fields) -> bool:
    """One conditional UPDATE: two workers acting at once cannot both succeed."""
    updated = (
        Request.objects.filter(allowed, pk=request.pk, expires_at__gt=timezone.now())
        .filter(erased_at__isnull=True)
        .update(**fields)
    )
    if updated:
        request.refresh_from_db()
    return bool(updated)


@transaction.atomic
def cooperation_request_take(*, request: CooperationRequest, by: User) -> CooperationRequest:
    """A worker of the unit takes the request: it becomes theirs to contact the young person."""
    if not by.is_aftercare_worker or by.organisation_id != request.organisation_id:
        raise PermissionDenied
    taken = _change(
        request,
        Q(status=RequestStatus.SENT),
        status=RequestStatus.TAKEN,
        taken_by=by,
        taken_at=timezone.now(),
    )
    if not taken:
        request.refresh_from_db()
        raise ValidationError(_unavailable(request))
    _log(request, by, AccessLog.Action.CHANGE)
    _tell(request, RequestStatus.TAKEN)
    return request


def _unavailable(request: CooperationRequest) -> str:
    if request.status == RequestStatus.TAKEN and request.taken_by is not None:
        return _("%(name)s has already taken this request.") % {
            "name": request.taken_by.get_full_name()
        }
    if request.state == RequestStatus.EXPIRED or request.is_erased:
        return _("This request has expired.")
    return _("This request has already been answered.")


@transaction.atomic
def cooperation_request_decline(
    *, request: CooperationRequest, by: User, reason: str
) -> CooperationRequest:
    """Decline with a reason Kela sees: any worker of the unit while nobody has taken the
    request, the worker who took it after that."""
    if not by.is_aftercare_worker or by.organisation_id != request.organisation_id:
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Tell Kela why the request is declined.")})
    declined = _change(
        request,
        Q(status=RequestStatus.SENT) | Q(status=RequestStatus.TAKEN, taken_by=by),
        status=RequestStatus.DECLINED,
        decline_reason=reason,
        answered_by=by,
        answered_at=timezone.now(),
    )
    if not declined:
        request.refresh_from_db()
        raise ValidationError(_unavailable(request))
    _log(request, by, AccessLog.Action.CHANGE)
    _tell(request, RequestStatus.DECLINED)
    return request


@transaction.atomic
def cooperation_request_link(
    *, request: CooperationRequest, youth: YouthClient, by: User
) -> CooperationRequest:
    """The worker who took the request names the young person's record (found or created)."""
    if youth.organisation_id != request.organisation_id or not request.is_taken_by(by):
        raise ValidationError(_("Only the worker who took the request can name the young person."))
    if not _change(request, Q(status=RequestStatus.TAKEN, taken_by=by), youth=youth):
        raise ValidationError(_unavailable(request))
    _log(request, by, AccessLog.Action.CHANGE)
    return request


def cooperation_request_booked(*, request_id, by: User) -> bool:
    """A joint meeting booked from the request was sent to Kela (meetings.services): the
    request is answered. Returns whether it was open until now. The caller is in a
    transaction."""
    request = Request.objects.filter(pk=request_id).first()
    if request is None:
        return False
    booked = _change(
        request,
        Q(status=RequestStatus.TAKEN),
        status=RequestStatus.BOOKED,
        answered_by=by,
        answered_at=timezone.now(),
    )
    if booked:
        _log(request, by, AccessLog.Action.CHANGE)
        _tell(request, RequestStatus.BOOKED)
    return booked


PERSONAL_FIELDS = {
    "first_name": "",
    "last_name": "",
    "date_of_birth": None,
    "noticed": "",
    "asked": "",
    "contact_agreed": "",
    "decline_reason": "",
}


def cooperation_requests_expire(now: datetime.datetime | None = None) -> dict:
    """The nightly purge (overview.tasks.purge_stale_data): open requests past their time are
    marked expired, and the personal fields of expired requests and of requests answered more
    than COOPERATION_REQUEST_KEEP_DAYS ago are blanked. The rows stay, without personal data,
    for Kela's list and the figures."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = Request.objects.filter(
            status__in=[RequestStatus.SENT, RequestStatus.TAKEN], expires_at__lte=now
        ).update(status=RequestStatus.EXPIRED)
        kept_until = now - datetime.timedelta(days=settings.COOPERATION_REQUEST_KEEP_DAYS)
        erased = (
            Request.objects.not_erased()
            .filter(
                Q(status=RequestStatus.EXPIRED)
                | Q(
                    status__in=[RequestStatus.DECLINED, RequestStatus.BOOKED],
                    answered_at__lte=kept_until,
                )
            )
            .update(erased_at=now, **PERSONAL_FIELDS)
        )
    return {"expired": expired, "erased": erased}


# --- Referrals to Kela's special service (issue 18) ---------------------------------------------

Referral = SpecialServiceReferral


def special_referral_consent(youth: YouthClient) -> Consent | None:
    """The newest valid consent that covers a special-service referral, or None."""
    scope = Consent.Scope.KELA_SPECIAL_SERVICE
    return youth.consents.covering(scope).order_by("-given_at").first()


@transaction.atomic
def special_referral_create(*, referral: SpecialServiceReferral, by: User) -> Referral:
    """The worker asks Kela to assess the need for the special service: only with a valid
    consent that covers it (refused with the reason otherwise)."""
    youth = referral.youth
    if not by.is_aftercare_worker or youth.organisation_id != by.organisation_id:
        raise PermissionDenied
    consent = special_referral_consent(youth)
    if consent is None:
        raise ValidationError(
            _(
                "The young person has not consented to a referral to Kela's special service. "
                "Record the consent with them first."
            )
        )
    named = referral.named_contact
    if named is not None and not (named.is_kela_contact and hasattr(named, "kela_profile")):
        raise ValidationError({"named_contact": _("Choose a Kela contact person.")})
    referral.consent = consent
    referral.referred_by = by
    referral.referred_at = timezone.now()
    referral.county_id = youth.organisation.county_id
    referral.status = Referral.Status.REFERRED
    referral.full_clean()
    referral.save()
    access_log_write(user=by, youth_id=youth.pk, action=AccessLog.Action.CREATE, obj=referral)
    _tell_referral(referral, Referral.Status.REFERRED)
    return referral


def _referral_change(referral: Referral, by: User, allowed: Q, **fields) -> None:
    """One conditional UPDATE of a referral the Kela contact still sees (consent valid)."""
    updated = Referral.objects.visible_to(by).filter(allowed, pk=referral.pk).update(**fields)
    if not updated:
        raise ValidationError(_("This referral has already moved on: reload the page."))
    referral.refresh_from_db()
    access_log_write(
        user=by, youth_id=referral.youth_id, action=AccessLog.Action.CHANGE, obj=referral
    )


@transaction.atomic
def special_referral_take(*, referral: Referral, by: User) -> Referral:
    """A Kela contact (the one named, or any of the county while none is) takes it."""
    if not by.is_kela_contact:
        raise PermissionDenied
    _referral_change(
        referral,
        by,
        Q(status=Referral.Status.REFERRED),
        status=Referral.Status.TAKEN,
        taken_by=by,
        taken_at=timezone.now(),
    )
    _tell_referral(referral, Referral.Status.TAKEN)
    return referral


@transaction.atomic
def special_referral_assess(*, referral: Referral, by: User, assessment: dict) -> Referral:
    """The Kela contact who took it records the assessment: taken into the special service
    (with the special-service contact, goals, pace and planned end), or not (with the
    reason), or another service advised (which ends the referral with it as the hand-over)."""
    if not referral.is_kela_of(by):
        raise PermissionDenied
    outcome = assessment["outcome"]
    now = timezone.now()
    fields = {"outcome": outcome, "outcome_reason": assessment.get("outcome_reason", "")}
    if outcome == Referral.Outcome.ACCEPTED:
        fields |= {
            "status": Referral.Status.IN_SERVICE,
            "special_contact": assessment["special_contact"],
            "goals": assessment["goals"],
            "pace": assessment.get("pace", ""),
            "planned_end": assessment["planned_end"],
        }
    else:
        fields |= {"status": Referral.Status.ENDED, "ended_at": now}
        if outcome == Referral.Outcome.OTHER_SERVICE:
            fields["handover"] = assessment.get("outcome_reason", "")
    _referral_change(referral, by, Q(status=Referral.Status.TAKEN), assessed_at=now, **fields)
    _tell_referral(referral, "assessed")
    return referral


@transaction.atomic
def special_referral_end(*, referral: Referral, by: User, handover: str) -> Referral:
    """The special service ends with the hand-over to a suitable service."""
    if not referral.is_kela_of(by):
        raise PermissionDenied
    if not handover.strip():
        raise ValidationError({"handover": _("Say where the young person continues.")})
    _referral_change(
        referral,
        by,
        Q(status=Referral.Status.IN_SERVICE),
        status=Referral.Status.ENDED,
        ended_at=timezone.now(),
        handover=handover.strip(),
    )
    _tell_referral(referral, Referral.Status.ENDED)
    return referral


# The light door of the young person's own page (issue 19; rules in cases/light.py) -----------

light_logger = logging.getLogger("cases.light")
# The young person's own request for a new link is sent in the background: the answer takes
# the same time whether the address is known or not. The link is in this process's memory
# only, never in the database or a queue.
_light_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="light-link-sender")


class LightSendFailed(Exception):
    """The e-mail or text message could not be handed on (nothing was saved)."""


def light_sends_wait() -> None:
    """Wait until the messages handed to the background sender are sent (tests)."""
    _light_sender.submit(lambda: None).result(timeout=30)


def _light_message(youth: YouthClient, template: str, **values) -> tuple[str, str]:
    """The subject and the text of a light-door message, in the young person's language."""
    with translation.override(youth.service_language):
        subject = _("Your own page") + " – " + _("Yhteistyö")
        return subject, render_to_string(f"own/messages/{template}", values).strip()


def _light_deliver(channel: str, address: str, subject: str, body: str) -> None:
    try:
        if channel == OwnLightLink.Channel.SMS:
            send_sms(address, body)
        else:
            send_mail(subject, body, None, [address])
    except (SmsError, ValidationError, smtplib.SMTPException, OSError) as exc:
        # The error's kind only: the address and the text are personal data.
        light_logger.warning("light door message not sent: %s", type(exc).__name__)
        raise LightSendFailed from None


def _light_link_create(
    youth: YouthClient, channel: str, by: User | None
) -> tuple[OwnLightLink, str]:
    secret = light.new_secret()
    now = timezone.now()
    link = OwnLightLink.objects.create(
        youth=youth,
        channel=channel,
        address=youth.light_address(channel),
        secret_hash=light.digest(secret),
        sent_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=settings.OWN_LIGHT_LINK_HOURS),
    )
    url = settings.SITE_URL + reverse("own:light_link", args=[light.token_of(link, secret)])
    return link, url


def _light_link_text(youth: YouthClient, link: OwnLightLink, url: str) -> tuple[str, str]:
    template = (
        "light_link.sms.txt" if link.channel == OwnLightLink.Channel.SMS else "light_link.txt"
    )
    return _light_message(
        youth, template, url=url, hours=settings.OWN_LIGHT_LINK_HOURS, asked=not link.sent_by_id
    )


@transaction.atomic
def light_link_send(*, youth: YouthClient, channel: str, by: User) -> OwnLightLink:
    """The worker sends the young person a light-door link by e-mail or text message, to the
    address on the record; this turns the light door on. Refused (ValidationError, in words
    for the worker) without a valid consent to messages or without the address."""
    youth = YouthClient.objects.select_for_update().get(pk=youth.pk)
    refusal = youth.light_link_refusal(channel)
    if refusal:
        raise ValidationError(refusal, code="refused")
    link, url = _light_link_create(youth, channel, by)
    access_log_write(user=by, youth_id=youth.pk, action=AccessLog.Action.CREATE, obj=link)
    subject, body = _light_link_text(youth, link, url)
    try:
        _light_deliver(channel, link.address, subject, body)
    except LightSendFailed:
        raise ValidationError(
            _("The message could not be sent. Please try again later."), code="not_sent"
        ) from None
    return link


@transaction.atomic
def light_door_close(*, youth: YouthClient, by: User) -> int:
    """The worker turns the light door off: every link and light session of the young person
    ends at once (light sessions read their link on every request)."""
    closed = youth.light_links.door_open().update(revoked_at=timezone.now())
    access_log_write(
        user=by, youth_id=youth.pk, action=AccessLog.Action.CHANGE, obj=youth, what="ownlightlink"
    )
    return closed


def light_link_request(*, channel: str, address: str) -> int:
    """The young person asks for a new link with their e-mail address or phone number (E.164).
    Sent only to a record that has this address, while the light door is on and a valid
    consent covers messages, at most OWN_LIGHT_REQUESTS_PER_HOUR links a record an hour; in
    the background, so that the caller cannot tell. Returns how many were sent (tests)."""
    if channel == OwnLightLink.Channel.EMAIL:
        youth = YouthClient.objects.filter(email__iexact=address.strip())
    else:
        youth = YouthClient.objects.filter(phone=address)
    since = timezone.now() - datetime.timedelta(hours=1)
    sent = 0
    for y in youth.filter(status=YouthClient.Status.ACTIVE):
        with transaction.atomic():
            y = YouthClient.objects.select_for_update().get(pk=y.pk)
            asked = y.light_links.filter(sent_by__isnull=True, created_at__gte=since).count()
            if (
                not y.light_door_on
                or y.light_link_refusal(channel)
                or y.light_address(channel) != address.strip().lower()
                or asked >= settings.OWN_LIGHT_REQUESTS_PER_HOUR
            ):
                continue
            link, url = _light_link_create(y, channel, None)
            access_log_own(youth_ids=[y.pk], what="ownlightlink", action=AccessLog.Action.CREATE)
            subject, body = _light_link_text(y, link, url)
            transaction.on_commit(
                partial(
                    _light_sender.submit,
                    _light_deliver_quietly,
                    channel,
                    link.address,
                    subject,
                    body,
                )
            )
            sent += 1
    return sent


def _light_deliver_quietly(channel: str, address: str, subject: str, body: str) -> None:
    with contextlib.suppress(LightSendFailed):  # logged; the young person may ask again
        _light_deliver(channel, address, subject, body)


@transaction.atomic
def light_code_send(*, link: OwnLightLink, browser_hash: str = "") -> OwnLightLink:
    """The link is opened: bound to this browser (`browser_hash`, the first time) and a new
    one-time code sent to the same address by the same channel. light.LinkProblem if it was
    opened in another browser meanwhile; ValidationError when no more codes are sent for it."""
    link = OwnLightLink.objects.select_for_update().select_related("youth").get(pk=link.pk)
    if browser_hash and link.browser_hash and link.browser_hash != browser_hash:
        raise light.LinkProblem("used", link)
    if link.codes_sent >= light.MAX_CODES:
        raise ValidationError(light.NO_MORE_CODES, code="too_many")
    code = light.new_code()
    now = timezone.now()
    link.opened_at = link.opened_at or now
    link.browser_hash = link.browser_hash or browser_hash
    link.code_hash = light.code_digest(link, code)
    link.code_expires_at = now + datetime.timedelta(minutes=settings.OWN_LIGHT_CODE_MINUTES)
    link.codes_sent += 1
    link.save(
        update_fields=["opened_at", "browser_hash", "code_hash", "code_expires_at", "codes_sent"]
    )
    template = (
        "light_code.sms.txt" if link.channel == OwnLightLink.Channel.SMS else "light_code.txt"
    )
    subject, body = _light_message(
        link.youth, template, code=code, minutes=settings.OWN_LIGHT_CODE_MINUTES
    )
    try:
        _light_deliver(link.channel, link.address, subject, body)
    except LightSendFailed:
        raise ValidationError(light.CODE_NOT_SENT, code="not_sent") from None
    return link


@transaction.atomic
def light_code_check(*, link: OwnLightLink, code: str) -> str:
    """The young person types the code: "ok" (the link is used: its light session begins),
    "wrong" (a try less), "locked" (the third wrong code: the link is dead), "expired"."""
    link = OwnLightLink.objects.select_for_update().get(pk=link.pk)
    if link.is_locked:
        return "locked"
    if link.verified_at is not None:
        return "used"
    if link.code_expires_at is None or link.code_expires_at <= timezone.now():
        return "expired"
    if not constant_time_compare(link.code_hash, light.code_digest(link, code.strip())):
        link.wrong_codes += 1
        link.save(update_fields=["wrong_codes"])
        return "locked" if link.is_locked else "wrong"
    link.verified_at = timezone.now()
    link.code_hash = ""
    link.save(update_fields=["verified_at", "code_hash"])
    return "ok"


def light_links_forget(now: datetime.datetime | None = None) -> int:
    """The address a light-door link went to, and the digests of its browser and code, once no
    session can rest on it any more (a day after its longest possible session); the row stays
    as the record of the send (who, when, how) and keeps the light door on."""
    now = now or timezone.now()
    ended = now - datetime.timedelta(days=1, seconds=settings.SESSION_MAX_AGE)
    return (
        OwnLightLink.objects.filter(expires_at__lt=ended)
        .exclude(address="")
        .update(address="", browser_hash="", code_hash="")
    )
