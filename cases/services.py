"""Operations on young people and their consent."""

from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User

from .models import Consent, WorkerHandover, YouthClient


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
            WorkerHandover.objects.create(
                youth=youth,
                from_worker_id=previous.responsible_worker_id,
                to_worker_id=youth.responsible_worker_id,
                recorded_by=by,
            )
    youth.full_clean()
    youth.save()
    action = AccessLog.Action.CREATE if creating else AccessLog.Action.CHANGE
    access_log_write(user=by, youth_id=youth.pk, action=action, obj=youth)
    return youth


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
