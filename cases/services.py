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
