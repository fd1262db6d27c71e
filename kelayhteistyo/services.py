"""Cross-cutting operations: the access log."""

from django.db import models
from django.http import Http404

from .models import AccessLog, User


def access_log_write(*, user: User, youth_id, action: str, obj: models.Model) -> AccessLog:
    """Record that `user` processed the young person's data through `obj`."""
    if action == AccessLog.Action.DENIED:
        basis = AccessLog.Basis.NONE
    elif user.is_kela_contact:
        basis = AccessLog.Basis.CONSENT
    elif user.is_coordinator:
        basis = AccessLog.Basis.COORDINATOR
    else:
        basis = AccessLog.Basis.OWN_CLIENT
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


def access_log_write_many(*, user: User, action: str, objects, youth_id_of) -> None:
    """One row per object in one query (a page of search results)."""
    basis = AccessLog.Basis.CONSENT if user.is_kela_contact else AccessLog.Basis.OWN_CLIENT
    AccessLog.objects.bulk_create(
        AccessLog(
            user=user,
            role=user.role,
            organisation_id=user.organisation_id,
            youth_id=youth_id_of(obj),
            action=action,
            object_type=obj._meta.model_name,
            object_id=str(obj.pk),
            basis=basis,
        )
        for obj in objects
    )


def get_visible_or_404(request, queryset, *, youth_field: str, **lookup):
    """The object if the user may see it; otherwise 404 — and if it exists, the refused attempt
    is written to the young person's access log (someone tried to reach their data)."""
    obj = queryset.visible_to(request.user).filter(**lookup).first()
    if obj is not None:
        return obj
    youth_id = queryset.model.objects.filter(**lookup).values_list(youth_field, flat=True).first()
    if youth_id is not None and request.user.is_authenticated:
        AccessLog.objects.create(
            user=request.user,
            role=request.user.role,
            organisation_id=request.user.organisation_id,
            youth_id=youth_id,
            action=AccessLog.Action.DENIED,
            object_type=queryset.model._meta.model_name,
            object_id=str(lookup.get("pk", "")),
            basis=AccessLog.Basis.NONE,
        )
    raise Http404
