"""The follow-up plan's pages: the plan, its action items ("who does what and when") and reviews."""

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kelayhteistyo.access import (
    access_log_write,
    any_member,
    worker_required,
)
from kelayhteistyo.forms import add_errors
from kelayhteistyo.models import AccessLog

from . import services
from .forms import (
    ActionItemCancelForm,
    ActionItemEditForm,
    ActionItemForm,
    ActionItemNoteForm,
    PlanForm,
    ReviewForm,
)
from .models import ActionItem, FollowUpPlan, JointMeeting, PlanExport, Review
from .views import meeting_or_404


def _plan_page(request, meeting, plan, form, item_form=None, status=200):
    exports = list(plan.exports.select_related("created_by")) if plan else []
    return render(
        request,
        "meetings/plan_form.html",
        {
            "meeting": meeting,
            "plan": plan,
            "form": form,
            "item_form": item_form or (ActionItemForm(meeting=meeting) if plan else None),
            "items": plan.items.with_history() if plan else [],
            "exports": exports,
            # The newest client plan document: the version the client plan holds.
            "recorded_export": next(
                (e for e in exports if e.variant == PlanExport.Variant.OFFICIAL), None
            ),
            "export_languages": settings.LANGUAGES,
            "plain_languages": settings.YOUTH_LANGUAGES,
            "youth_language": meeting.youth.service_language,
            # Joint meetings booked to review this plan (it continues in them).
            "review_meetings": plan.review_meetings.exclude(status=JointMeeting.Status.CANCELLED)
            if plan
            else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@worker_required
def plan_edit(request, pk):
    """Record or change the follow-up plan: who does what and when, and the review date."""
    meeting = meeting_or_404(request, pk)
    if request.method == "GET" and meeting.is_review_meeting:
        messages.info(
            request, _("This meeting reviews an earlier follow-up plan: the plan continues here.")
        )
        return redirect("meetings:plan", pk=meeting.reviews_plan.meeting_id)
    plan = meeting.plan_or_none
    form = PlanForm(request.POST or None, instance=plan, meeting=meeting)
    if request.method == "GET":
        if not meeting.was_held:  # no form that could only be refused on saving
            messages.info(request, _("The plan is recorded after the meeting has been held."))
            return redirect("meetings:detail", pk=meeting.pk)
        if plan is not None:
            access_log_write(
                user=request.user,
                youth_id=meeting.youth_id,
                action=AccessLog.Action.READ,
                obj=plan,
            )
        return _plan_page(request, meeting, plan, form)
    if form.is_valid():
        try:
            services.plan_save(
                meeting=meeting,
                fields=form.plan_fields(),
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.StalePlanError:
            form.add_error(
                None,
                _(
                    "Someone else saved this plan while you were editing it. Your text is "
                    "below; the saved plan was not changed. Open the plan again to see "
                    "their changes."
                ),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The follow-up plan was saved."))
            return redirect("meetings:plan", pk=meeting.pk)
    return _plan_page(request, meeting, plan, form, status=400)


def _back_to_items(request, meeting):
    """Workers follow the items on the plan page, Kela contacts on the meeting page."""
    if request.user.is_aftercare_worker:
        return redirect("meetings:plan", pk=meeting.pk)
    return redirect("meetings:detail", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
@any_member
def action_item_add(request, pk):
    """Add a "who does what and when" line (a Kela contact: one of its own); with htmx only
    the list is replaced. The page on GET is how a Kela contact reaches the form."""
    meeting = meeting_or_404(request, pk)
    plan = get_object_or_404(FollowUpPlan, meeting=meeting)
    form = ActionItemForm(request.POST or None, meeting=meeting, user=request.user)
    if request.method == "GET":
        return _item_page(request, meeting, None, add_form=form)
    if form.is_valid():
        try:
            services.action_item_add(
                plan=plan,
                by=request.user,
                owner=form.cleaned_data.get("owner"),
                outside_service=form.cleaned_data.get("outside_service", ""),
                outside_service_email=form.cleaned_data.get("outside_service_email", ""),
                what=form.cleaned_data["what"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The action item was added."))
            if not (request.htmx and request.user.is_aftercare_worker):
                return _back_to_items(request, meeting)
            form = ActionItemForm(meeting=meeting)
    if request.htmx and request.user.is_aftercare_worker:
        return _items_partial(request, meeting, plan, form)
    if not request.user.is_aftercare_worker:
        return _item_page(request, meeting, None, add_form=form, status=400)
    # The plan page, not the add page: the worker posted from there, without JavaScript.
    return _plan_page(
        request, meeting, plan, PlanForm(instance=plan, meeting=meeting), form, status=400
    )


def _items_partial(request, meeting, plan, form=None):
    return render(
        request,
        "meetings/_action_items.html",
        {
            "meeting": meeting,
            "plan": plan,
            "items": plan.items.with_history(),
            "item_form": form or ActionItemForm(meeting=meeting),
        },
    )


def _item_or_404(request, meeting, item_pk) -> ActionItem:
    """An item of the meeting the user may change (workers: any, Kela: its own), else 404."""
    return get_object_or_404(
        ActionItem.objects.tickable_by(request.user).select_related("plan__meeting", "owner"),
        pk=item_pk,
        plan__meeting=meeting,
    )


def _item_page(request, meeting, item, *, status=200, **forms):
    """The page of one item: edit, note, cancel (or, for Kela, the add form again)."""
    if item is not None:
        forms.setdefault(
            "form", ActionItemEditForm(instance=item, meeting=meeting, user=request.user)
        )
        forms.setdefault("note_form", ActionItemNoteForm())
        forms.setdefault("cancel_form", ActionItemCancelForm())
        if request.user.is_aftercare_worker:
            forms["owner_links"] = list(item.links.active())
        access_log_write(
            user=request.user, youth_id=meeting.youth_id, action=AccessLog.Action.READ, obj=item
        )
    return render(
        request,
        "meetings/item_edit.html",
        {"meeting": meeting, "item": item, **forms},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@any_member
def action_item_edit(request, pk, item_pk):
    """Change an item's wording, owner or due date; a save from an outdated form is refused."""
    meeting = meeting_or_404(request, pk)
    item = _item_or_404(request, meeting, item_pk)
    if request.method == "GET":
        return _item_page(request, meeting, item)
    # A copy: the form writes what was typed into its instance, the page names the saved item.
    form = ActionItemEditForm(
        request.POST, instance=copy.copy(item), meeting=meeting, user=request.user
    )
    if form.is_valid():
        try:
            services.action_item_edit(item=item, by=request.user, **form.item_fields())
        except services.StaleActionItemError:
            form.add_error(
                None,
                _(
                    "Someone else changed this action item while you were editing it. Your "
                    "text is below; the saved item was not changed. Open the item again to "
                    "see their changes."
                ),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("The action item was saved: %(what)s") % {"what": form.cleaned_data["what"]},
            )
            return _back_to_items(request, meeting)
    return _item_page(request, meeting, item, form=form, status=400)


@require_POST
@any_member
def action_item_cancel(request, pk, item_pk):
    """Cancel an item that is not needed, with the reason."""
    meeting = meeting_or_404(request, pk)
    item = _item_or_404(request, meeting, item_pk)
    form = ActionItemCancelForm(request.POST)
    if form.is_valid():
        try:
            services.action_item_cancel(
                item=item, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Cancelled: %(what)s") % {"what": item.what})
            return _back_to_items(request, meeting)
    return _item_page(request, meeting, item, cancel_form=form, status=400)


@require_POST
@any_member
def action_item_note(request, pk, item_pk):
    """Record how an item is progressing."""
    meeting = meeting_or_404(request, pk)
    item = _item_or_404(request, meeting, item_pk)
    form = ActionItemNoteForm(request.POST)
    if form.is_valid():
        try:
            services.action_item_note(item=item, note=form.cleaned_data["note"], by=request.user)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The note was saved: %(what)s") % {"what": item.what})
            return _back_to_items(request, meeting)
    return _item_page(request, meeting, item, note_form=form, status=400)


@require_POST
@worker_required
def action_item_links_stop(request, pk, item_pk):
    """Stop the links sent so far to the item's outside owner (a new one comes with the next
    change or reminder while the owner has an address)."""
    meeting = meeting_or_404(request, pk)
    item = _item_or_404(request, meeting, item_pk)
    services.item_links_stop(item=item, by=request.user)
    messages.success(
        request,
        _("The links sent so far no longer work: %(what)s") % {"what": item.what},
    )
    return redirect("meetings:item_edit", pk=meeting.pk, item_pk=item.pk)


@require_POST
@any_member
def action_item_toggle(request, pk, item_pk):
    """Tick an action item done or open it again (workers, and the item's own Kela owner)."""
    meeting = meeting_or_404(request, pk)
    item = _item_or_404(request, meeting, item_pk)
    done = request.POST.get("done") == "1"
    services.action_item_set_done(item=item, done=done, by=request.user)
    if done:
        messages.success(request, _("Marked done: %(what)s") % {"what": item.what})
    else:
        messages.success(request, _("Marked open again: %(what)s") % {"what": item.what})
    if request.htmx and request.user.is_aftercare_worker:
        return _items_partial(request, meeting, item.plan)
    return _back_to_items(request, meeting)


@require_http_methods(["GET", "POST"])
@worker_required
def review_create(request, pk):
    """One review round: how things went, items done, the next round or the end of it. For a
    meeting booked to review a plan, the round is recorded on that plan (no second plan)."""
    meeting = meeting_or_404(request, pk)
    held_in = meeting if meeting.is_review_meeting else None
    if held_in is not None:
        plan = get_object_or_404(
            FollowUpPlan.objects.select_related("meeting"), pk=meeting.reviews_plan_id
        )
    else:
        plan = get_object_or_404(FollowUpPlan, meeting=meeting)
    if request.method == "GET":  # no form only to be refused
        refusal = _review_refused(plan, held_in)
        if refusal:
            messages.info(request, refusal)
            return redirect("meetings:detail", pk=meeting.pk)
    form = ReviewForm(request.POST or None, plan=plan, held_in=held_in)
    if form.is_valid():
        try:
            services.review_record(
                plan=plan,
                review=form.save(commit=False),
                done_items=list(form.cleaned_data["done_items"]),
                by=request.user,
                agreed_for=form.cleaned_data["agreed_for"],
                held_in=held_in,
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The review was recorded."))
            return redirect("meetings:detail", pk=meeting.pk)
    # The page lists the plan's items: a read of the plan.
    access_log_write(
        user=request.user, youth_id=meeting.youth_id, action=AccessLog.Action.READ, obj=plan
    )
    return render(
        request,
        "meetings/review_form.html",
        {"meeting": meeting, "plan": plan, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _review_refused(plan: FollowUpPlan, held_in) -> str:
    """Why no review can be recorded now (the page then says so), or ""."""
    if not plan.meeting.awaits_review:
        return _("The cooperation has ended: no more reviews are recorded.")
    if held_in is not None and not held_in.was_held:
        return _("The review is recorded once its meeting has been held.")
    if held_in is not None and Review.objects.filter(meeting=held_in).exists():
        return _("The review of this meeting has already been recorded.")
    return ""
