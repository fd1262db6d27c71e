"""Cross-cutting operations: the access log."""

from django.db import models

from .models import AccessLog, User


def access_log_write(*, user: User, youth_id, action: str, obj: models.Model) -> AccessLog:
    """Record that `user` processed the young person's data through `obj`."""
    basis = AccessLog.Basis.CONSENT if user.is_kela_contact else AccessLog.Basis.OWN_CLIENT
    return AccessLog.objects.create(
        user=user,
        role=user.role,
        organisation_id=user.organisation_id,
        youth_id=youth_id,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        basis=basis,
    )
