"""The follow-up plan as documents: the client plan's PDF/A-3b with the plan inside as JSON
(schema: docs/plan-export-v2.schema.json; documents made before the reviews were added follow
docs/plan-export-v1.schema.json), and a plain-language copy for the young person.

Rendering is kelayhteistyo.pdf (static-only fetcher, fonts, time limit); this module decides
what the documents say. Every export is an immutable PlanExport with its SHA-256.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Consent
from kelayhteistyo.access import access_log_write
from kelayhteistyo.models import AccessLog, User
from kelayhteistyo.pdf import render_pdf

from .models import (
    ActionItem,
    ActionItemChange,
    FollowUpPlan,
    Participant,
    PlanExport,
    Review,
)

SCHEMA = "https://yhteistyo.example/schemas/plan-export/2"
SCHEMA_VERSION = 2


@dataclass
class ItemOutcome:
    """What happened to one action item that was open when a review round was recorded."""

    item: ActionItem
    done: bool  # ticked done in the review; otherwise it stayed open
    due_date: datetime.date | None  # as it stood at the review


@dataclass
class ReviewRound:
    number: int
    review: Review
    outcomes: list[ItemOutcome]

    @property
    def took_part(self) -> list[str]:
        """The aftercare worker records every review; the others as ticked."""
        kinds = ["aftercare_worker"]
        if self.review.with_young_person:
            kinds.append("young_person")
        if self.review.with_kela:
            kinds.append("kela_contact")
        return kinds

    @property
    def took_part_labels(self) -> list[str]:
        """Who took part, for the document: the worker who recorded it by name."""
        Kind = Participant.Kind
        labels = [f"{Kind.AFTERCARE_WORKER.label} {self.review.recorded_by.get_full_name()}"]
        return labels + [str(Kind(kind).label) for kind in self.took_part[1:]]


def _open_before(item: ActionItem, when: datetime.datetime) -> datetime.date | None | bool:
    """The item's due date just before `when` if it was open then, else False: its present
    state with the changes made since then undone (its history is complete)."""
    if item.created_at >= when:
        return False
    status, due = item.status, item.due_date
    for change in reversed(item.changes.all()):
        if change.changed_at < when:
            break
        if change.field == ActionItemChange.Field.STATUS:
            status = change.old_value
        elif change.field == ActionItemChange.Field.DUE_DATE:
            due = change.old_date
    return due if status == ActionItem.Status.OPEN else False


def review_rounds(plan: FollowUpPlan) -> list[ReviewRound]:
    """The plan's review rounds, oldest first, each with what happened to the items open at
    it. Works on the prefetched items, changes and reviews (see `_plan`): no queries."""
    items = list(plan.items.all())
    reviews = sorted(plan.reviews.all(), key=lambda r: (r.agreed_for, r.pk))
    rounds = []
    for number, review in enumerate(reviews, start=1):
        outcomes = []
        for item in items:
            due = _open_before(item, review.recorded_at)
            if due is False:
                continue
            done = any(
                c.review_id == review.pk and c.new_value == ActionItem.Status.DONE
                for c in item.changes.all()
            )
            outcomes.append(ItemOutcome(item=item, done=done, due_date=due))
        rounds.append(ReviewRound(number=number, review=review, outcomes=outcomes))
    return rounds


def _change_data(change: ActionItemChange) -> dict:
    return {
        "at": change.changed_at,
        "by": change.by_full_name,
        "field": change.field,
        "old": change.old_value or None,
        "new": change.new_value or None,
        "note": change.note or None,
        "review_round": None,  # filled in by plan_data
    }


def _item_data(item: ActionItem, round_of: dict[int, int]) -> dict:
    history = []
    for change in item.changes.all():
        data = _change_data(change)
        data["review_round"] = round_of.get(change.review_id)
        history.append(data)
    return {
        "id": item.pk,
        "owner": item.owner.display_name,
        "owner_kind": item.owner.kind,
        "outside_service": item.outside_service or None,
        "what": item.what,
        "due_date": item.due_date,
        "status": item.status,
        "done_at": item.done_at,
        "cancel_reason": item.cancel_reason or None,
        "added_at": item.created_at,
        "history": history,
    }


def _round_data(round_: ReviewRound) -> dict:
    review = round_.review
    return {
        "round": round_.number,
        "agreed_for": review.agreed_for,
        "held_on": review.held_on,
        "on_time": review.on_time,
        "took_part": round_.took_part,
        "how_it_went": review.how_it_went,
        "items": [
            {
                "action_item": o.item.pk,
                "what": o.item.what,
                "due_date": o.due_date,
                "outcome": "done" if o.done else "open",
            }
            for o in round_.outcomes
        ],
        "kela_continues": review.kela_continues,
        "next_review_date": review.next_review_date,
        "cooperation_ended": {
            "reason": review.end_reason,
            "details": review.end_details or None,
        }
        if review.close_cooperation
        else None,
        "recorded_by": review.recorded_by.get_full_name(),
    }


def plan_data(
    plan: FollowUpPlan, *, include_identity_code: bool, rounds: list[ReviewRound] | None = None
) -> dict:
    """The plan as structured data (docs/plan-export-v2.schema.json), for a client information
    system to import without retyping: with its review rounds and each item's history."""
    meeting, youth = plan.meeting, plan.meeting.youth
    consent = meeting.consent
    rounds = review_rounds(plan) if rounds is None else rounds
    round_of = {r.review.pk: r.number for r in rounds}
    return {
        "$schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "plan_version": plan.version,
        "organisation": {
            "name": youth.organisation.name,
            "county": youth.organisation.county.name_fi if youth.organisation.county else None,
        },
        "young_person": {
            "first_name": youth.first_name,
            "last_name": youth.last_name,
            "date_of_birth": youth.date_of_birth,
            "identity_code": youth.identity_code if include_identity_code else None,
        },
        "meeting": {
            "starts_at": meeting.starts_at,
            "modality": meeting.modality,
            "recorded_afterwards": meeting.recorded_afterwards,
            "place": meeting.place or None,
            "goal": meeting.goal,
            "topics": meeting.topics,
            "topics_other": meeting.topics_other or None,
            "youth_questions": meeting.youth_questions or None,
            "participants": [
                {
                    "name": p.display_name,
                    "kind": p.kind,
                    "role": p.role_title or None,
                    "joins_by": p.joins_by or None,
                }
                for p in meeting.participants.all()
            ],
        },
        "own_words": plan.own_words or None,
        "summary": plan.summary,
        "action_items": [_item_data(item, round_of) for item in plan.items.all()],
        "kela_cooperation": {"continues": plan.kela_cooperation, "how": plan.kela_cooperation_how},
        "progress_followup": plan.progress_followup or None,
        "review_date": plan.review_date,
        "reviews": [_round_data(r) for r in rounds],
        "follow_up_status": meeting.status,
        "consent": {
            "scopes": [s for s in Consent.SCOPES if getattr(consent, s)] if consent else [],
            "given_on": timezone.localdate(consent.given_at) if consent else None,
        },
    }


def _plan(plan: FollowUpPlan) -> FollowUpPlan:
    return (
        FollowUpPlan.objects.select_related(
            "meeting__youth__organisation__county", "meeting__consent", "meeting__language"
        )
        .prefetch_related(
            "meeting__participants__user",
            Prefetch(
                "items", queryset=ActionItem.objects.with_history().order_by("due_date", "id")
            ),
            Prefetch("reviews", queryset=Review.objects.select_related("recorded_by")),
        )
        .get(pk=plan.pk)
    )


def render(
    plan: FollowUpPlan,
    *,
    variant: str,
    language: str,
    include_identity_code=False,
    by: User,
    number: int,
) -> bytes:
    plan = _plan(plan)
    rounds = review_rounds(plan)
    data = plan_data(plan, include_identity_code=include_identity_code, rounds=rounds)
    context = {
        "rounds": rounds,
        "plan": plan,
        "meeting": plan.meeting,
        "youth": plan.meeting.youth,
        "items": plan.items.all(),
        "participants": plan.meeting.participants.all(),
        "include_identity_code": include_identity_code,
        "by": by,
        "now": timezone.now(),
        "number": number,
        "consent": plan.meeting.consent,
    }
    with translation.override(language):
        if variant == PlanExport.Variant.PLAIN:
            return render_pdf("meetings/plan_plain_pdf.html", context)
        attachment = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        return render_pdf(
            "meetings/plan_pdf.html",
            context,
            pdf_variant="pdf/a-3b",
            attachments=[("plan.json", attachment, "The follow-up plan as data")],
        )


EXPORT_TRIES = 3


class ExportConflict(Exception):
    """Other exports of the plan, or changes to it, kept coming while this one rendered."""


def _next_number(plan: FollowUpPlan, variant: str) -> tuple[int, int]:
    """The number the next export of `variant` gets, and the plan's version now."""
    current = FollowUpPlan.objects.get(pk=plan.pk)
    last = current.exports.filter(variant=variant).aggregate(n=Max("number"))["n"] or 0
    return last + 1, current.version


def plan_export(
    plan: FollowUpPlan,
    *,
    variant: str,
    language: str,
    by: User,
    include_identity_code: bool = False,
) -> PlanExport:
    """Render and store a new numbered snapshot; written to the access log as an export.

    Rendering may take up to PDF_TIMEOUT seconds, so it runs before anything is locked; the
    lock only checks the number and stores. If another export took the number, or the plan
    changed, while this one rendered, it renders again.

    The client plan document needs a valid consent to record the cooperation in the client
    plan; storing it marks the plan "recorded into the client plan"."""
    official = variant == PlanExport.Variant.OFFICIAL
    if official and not (
        Consent.objects.covering(Consent.Scope.CLIENT_PLAN)
        .filter(youth=plan.meeting.youth_id)
        .exists()
    ):
        raise ValidationError(
            _(
                "The young person's consent does not cover recording the cooperation in the "
                "client plan. Record a consent with “%(scope)s” first; the plain-language copy "
                "can be made without it."
            )
            % {"scope": Consent._meta.get_field(Consent.Scope.CLIENT_PLAN).verbose_name}
        )
    with_code = include_identity_code and official
    for _try in range(EXPORT_TRIES):
        number, version = _next_number(plan, variant)
        content = render(
            plan,
            variant=variant,
            language=language,
            by=by,
            number=number,
            include_identity_code=with_code,
        )
        export = PlanExport(
            plan=plan,
            number=number,
            plan_version=version,
            variant=variant,
            language=language,
            includes_identity_code=with_code,
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=by,
        )
        if _store(export, content):
            return export
    raise ExportConflict


@transaction.atomic
def _store(export: PlanExport, content: bytes) -> bool:
    """Store the rendered snapshot if its number and plan version still hold (under a lock)."""
    plan = FollowUpPlan.objects.select_for_update().get(pk=export.plan_id)
    if (export.number, export.plan_version) != _next_number(plan, export.variant):
        return False
    name = f"{export.variant}-{export.number}-{export.language}.pdf"
    export.file.save(name, ContentFile(content), save=False)
    # Only the app's own user may read a snapshot, whatever the umask or the upload settings
    # say: the file 0600, its folders under MEDIA_ROOT (plan-exports/<meeting>/) 0700.
    storage = export.file.storage
    Path(storage.path(export.file.name)).chmod(0o600)
    for folder in Path(export.file.name).parents[:-1]:
        Path(storage.path(str(folder))).chmod(0o700)
    export.save()
    if export.variant == PlanExport.Variant.OFFICIAL:
        FollowUpPlan.objects.filter(pk=plan.pk).update(recorded_in_client_plan=True)
    access_log_write(
        user=export.created_by,
        youth_id=plan.meeting.youth_id,
        action=AccessLog.Action.EXPORT,
        obj=export,
    )
    return True
