"""Who may reach what: every access rule that is not a queryset's `visible_to`, in one place.

- decorators by role (`role_required`, `worker_required`, `coordinator_required`, `any_member`)
  and by fresh authentication (`recent_login_required`);
- `get_visible_or_404`: an object the user may see, or 404 (and the refused attempt logged);
- the coordinator's scope (`scope_county`);
- the access-log writers: every read, change, export and disclosure of a young person's data
  (a Kela contact's read is a disclosure to Kela; a page of many young people writes one row
  per young person shown; an outside owner's use of a signed link names them as `actor`).

Object rules live on the querysets of each app (`JointMeeting.objects.visible_to(user)`,
`ActionItem.objects.tickable_by(user)`…) so that views and templates ask the same question.
"""

import datetime
from functools import wraps
from typing import cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Value
from django.db.models.expressions import DatabaseDefault
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .models import AccessLog, County, User

AUTH_AT = "auth_at"  # when the password (and second factor) was last given in this session
RECENT_AUTH = datetime.timedelta(minutes=10)


def role_required(*roles):
    """Allow the view to logged-in users with one of `roles`; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles or not request.user.organisation_id:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


worker_required = role_required(User.Role.AFTERCARE_WORKER)
kela_required = role_required(User.Role.KELA_CONTACT)
coordinator_required = role_required(User.Role.COORDINATOR)
any_member = role_required(User.Role.AFTERCARE_WORKER, User.Role.KELA_CONTACT)


def recent_login_required(view):
    """Sensitive downloads need the password (and the second factor) again after a while."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        at = request.session.get(AUTH_AT)
        if at and timezone.now() - datetime.datetime.fromisoformat(at) <= RECENT_AUTH:
            return view(request, *args, **kwargs)
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('reauthenticate')}?{query}")

    return wrapped


def scope_county(user: User) -> County | None:
    """A coordinator's scope: the county of their organisation, or None for the whole country
    (a national project or Kela)."""
    return user.organisation.county if user.organisation is not None else None


def _basis(user: User, action: str) -> str:
    if action == AccessLog.Action.DENIED:
        return AccessLog.Basis.NONE
    if user.is_kela_contact:
        return AccessLog.Basis.CONSENT
    if user.is_coordinator:
        return AccessLog.Basis.COORDINATOR
    return AccessLog.Basis.OWN_CLIENT


def _row(
    user: User, youth_id, action: str, object_type: str | None, object_id, basis: str = ""
) -> AccessLog:
    if action == AccessLog.Action.READ and user.is_kela_contact and not basis:
        # Kela is another organisation: what its contact reads is disclosed to Kela.
        action = AccessLog.Action.DISCLOSE
    return AccessLog(
        user=user,
        role=user.role,
        organisation_id=user.organisation_id,
        youth_id=youth_id,
        action=action,
        object_type=object_type or "",
        object_id=str(object_id),
        basis=basis or _basis(user, action),
    )


def _insert(rows: list[AccessLog]) -> None:
    """Write a page's rows in one statement. On PostgreSQL one array a column, unnested: for a
    page of 50 rows, bulk_create's 500 parameters cost about 6 ms more of the page's time
    (bench/pages.py, "logging a page of 50 young people"); a single statement needs no
    transaction of its own either."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        AccessLog.objects.bulk_create(rows)
        return
    fields = [f for f in AccessLog._meta.concrete_fields if not f.primary_key]

    def value(field, row):
        value = getattr(row, field.attname)
        if isinstance(value, DatabaseDefault):  # a column left to its db_default, a Value
            value = cast(Value, value.get_source_expressions()[0]).value
        return field.get_db_prep_save(value, connection)

    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(AccessLog._meta.db_table)} ({columns})"  # noqa: S608 — names from the model
            f" SELECT * FROM unnest({arrays})",
            [[value(f, row) for row in rows] for f in fields],
        )


def access_log_write(
    *, user: User, youth_id, action: str, obj: models.Model, what: str | None = None
) -> AccessLog:
    """Record that `user` processed the young person's data through `obj`; `what` names the
    part of the data when it is not `obj` itself (the identity code shown on a meeting page)."""
    row = _row(user, youth_id, action, what or obj._meta.model_name, obj.pk)
    row.save()
    return row


def access_log_by_link(*, actor: str, youth_id, action: str, obj: models.Model) -> AccessLog:
    """Record that someone without an account — an outside owner of an action item, named by
    `actor` — read or changed `obj` through the signed link sent to them."""
    row = AccessLog(
        user=None,
        actor=actor[:200],
        role="",
        organisation_id=None,
        youth_id=youth_id,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        basis=AccessLog.Basis.NONE
        if action == AccessLog.Action.DENIED
        else AccessLog.Basis.SIGNED_LINK,
    )
    row.save()
    return row


def access_log_request(
    *, user: User, action: str, requests, what: str, basis: str = AccessLog.Basis.REQUEST
) -> None:
    """Reads and changes of cooperation requests from Kela (cases.CooperationRequest), one row
    per request, in one insert. A request names its young person only once linked to their
    record; until then the row names the request (`what`, the request's id). Kela reading the
    request it wrote itself is a read, not a disclosure."""
    _insert([_row(user, r.youth_id, action, what, r.pk, basis) for r in dict.fromkeys(requests)])


def access_log_page(
    *,
    user: User,
    page: str,
    youth_ids,
    action: str = AccessLog.Action.READ,
    requests=(),
    requests_what: str = "",
):
    """A page that shows several young people's data (a list, a home page, the notifications),
    or a report about them: one row per young person shown, named by the page, in one insert;
    with the cooperation requests the page lists (`requests`, read: as access_log_request
    writes them with `requests_what`) in the same insert."""
    rows = [_row(user, youth_id, action, page, "") for youth_id in dict.fromkeys(youth_ids)]
    rows += [
        _row(user, r.youth_id, AccessLog.Action.READ, requests_what, r.pk, AccessLog.Basis.REQUEST)
        for r in {r.pk: r for r in requests}.values()
    ]
    _insert(rows)


def access_log_own(*, youth_ids, what: str, object_id="", action: str = AccessLog.Action.READ):
    """The young person read (or downloaded, or changed) their own data on their own page,
    signed in with strong identification: one row per record of theirs, basis "own data",
    no user."""
    _insert(
        [
            AccessLog(
                user=None,
                role="",
                organisation=None,
                youth_id=youth_id,
                action=action,
                object_type=what,
                object_id=str(object_id),
                basis=AccessLog.Basis.OWN_DATA,
            )
            for youth_id in dict.fromkeys(youth_ids)
        ]
    )


def get_visible_or_404(request, queryset, *, youth_field: str, **lookup):
    """The object if the user may see it; otherwise 404 — and if it exists, the refused attempt
    is written to the young person's access log (someone tried to reach their data)."""
    # The lookup names one row, so no order: first() would sort by the model's ordering, and
    # with a page's joins and a Kela contact's conditions PostgreSQL then plans for ms longer.
    found = list(queryset.visible_to(request.user).filter(**lookup).order_by()[:1])
    if found:
        return found[0]
    youth_id = queryset.model.objects.filter(**lookup).values_list(youth_field, flat=True).first()
    if youth_id is not None and request.user.is_authenticated:
        _log_refusal(request.user, youth_id, queryset.model._meta.model_name, lookup.get("pk", ""))
    raise Http404


# Repeated refusals of one user for one young person are written once an hour: someone guessing
# addresses cannot fill the young person's report with rows.
REFUSALS_COALESCED = datetime.timedelta(hours=1)


def _log_refusal(user: User, youth_id, object_type: str | None, object_id) -> None:
    recent = AccessLog.objects.filter(
        user=user,
        youth_id=youth_id,
        action=AccessLog.Action.DENIED,
        at__gte=timezone.now() - REFUSALS_COALESCED,
    )
    if not recent.exists():
        _row(user, youth_id, AccessLog.Action.DENIED, object_type, object_id).save()
