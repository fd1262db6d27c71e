import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import CooperationRequest, Scope, YouthClient
from kelayhteistyo.access import (
    access_log_page,
    access_log_write,
    any_member,
    get_visible_or_404,
    role_required,
    worker_required,
)
from kelayhteistyo.forms import DirectorySearchForm, add_errors
from kelayhteistyo.models import AccessLog, KelaContactProfile, User
from kelayhteistyo.services import kela_contact_route

from . import notifications, services
from .forms import (
    CancelForm,
    InviteForm,
    MarkHeldForm,
    MeetingForm,
    OtherParticipantFormSet,
    RecordedMeetingForm,
    RespondForm,
    TakingPartDenyForm,
)
from .models import (
    OFFERED_WEEKS,
    ActionItem,
    FollowUpPlan,
    JointMeeting,
    KelaSlot,
    Modality,
    Participant,
    PlanExport,
    Review,
)
from .workdays import day_off_name

PAGE_SIZE = 50


def meeting_or_404(request, pk) -> JointMeeting:
    """The meeting for its pages, if the user may see it (else 404, the attempt logged)."""
    # The two languages come in small queries of their own: joined as well, PostgreSQL took
    # 12 ms to plan a Kela contact's query (its consent and invitation conditions beside six
    # joins; 2.4 ms without the languages) that runs in 0.3 ms.
    meetings = JointMeeting.objects.select_related(
        "youth", "organiser", "consent"
    ).prefetch_related(
        "language",
        "youth__language",
        Prefetch(
            "participants",
            queryset=Participant.objects.select_related("user", "interpreter_language"),
        ),
    )
    return get_visible_or_404(request, meetings, youth_field="youth_id", pk=pk)


@require_GET
@any_member
def meeting_list(request):
    """The joint meetings the user may see, newest first."""
    meetings = (
        JointMeeting.objects.visible_to(request.user)
        .select_related("youth")
        .only(
            "starts_at", "modality", "status", "youth_id", "youth__first_name", "youth__last_name"
        )
    )
    statuses = JointMeeting.Status.choices
    if not request.user.is_aftercare_worker:  # Kela never sees drafts: no such filter either
        statuses = [(v, label) for v, label in statuses if v != JointMeeting.Status.DRAFT]
    status = request.GET.get("status")
    if status in JointMeeting.Status.values:
        meetings = meetings.filter(status=status)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log_page(user=request.user, page="meeting_list", youth_ids=[m.youth_id for m in page])
    return render(
        request,
        "meetings/meeting_list.html",
        {"page": page, "statuses": statuses, "status": status},
    )


@require_http_methods(["GET", "POST"])
@worker_required
def meeting_create(request, youth_pk):
    """Book a joint meeting for a young person: invite a Kela contact, or book one of their
    free times (confirmed at once)."""
    youth = get_object_or_404(YouthClient.objects.visible_to(request.user), pk=youth_pk)
    reviewed = _plan_to_review(request, youth)
    coop = _request_answered(request, youth)
    search = DirectorySearchForm(request.POST or request.GET or None, prefix="search")
    filters = search.cleaned_data if search.is_valid() else {}
    action = request.POST.get("action")
    # Filtering the directory or showing a contact's free times keeps everything typed so far,
    # without error messages.
    keeps = action in ("search", "free_times")
    initial = {"language": youth.language_id, "interpreter_needed": youth.needs_interpreter}
    initial.update(_review_initial(reviewed))
    if coop is not None:  # Kela asked: the contact who sent the request is invited
        initial["kela_contact"] = coop.sent_by_id
    data = request.POST if request.method == "POST" and not keeps else None
    if data is not None and action == "book":
        data = _with_free_time(request.POST)
    form = MeetingForm(
        data,
        initial=initial if data is None and not keeps else None,
        instance=JointMeeting(youth=youth),
        free_time=action == "book",
        **filters,
    )
    others = OtherParticipantFormSet(data, prefix="others")
    if keeps:
        form = MeetingForm(
            initial=_posted(request.POST), instance=JointMeeting(youth=youth), **filters
        )
        others = OtherParticipantFormSet(initial=_posted_others(request.POST), prefix="others")
    elif data is not None and form.is_valid() and others.is_valid():
        if action == "book":
            meeting = _book_free_time(request, form, others, reviewed, coop)
        else:
            meeting = _book(request, form, others, reviewed, action, coop)
        if meeting is not None:
            return redirect("meetings:detail", pk=meeting.pk)
    context = {
        "form": form,
        "others": others,
        "search": search,
        "youth": youth,
        "consent": services.valid_kela_consent(youth),
        "reviewed": reviewed,
        "coop": coop,
        "carried_items": reviewed.items.filter(status=ActionItem.Status.OPEN).select_related(
            "owner__user"
        )
        if reviewed
        else [],
        **_free_times(form["kela_contact"].value(), chosen=request.POST.get("slot")),
    }
    access_log_write(user=request.user, youth_id=youth.pk, action=AccessLog.Action.READ, obj=youth)
    return render(request, "meetings/meeting_form.html", context)


def _others(form, others) -> list[dict]:
    return form.others_joining([f.cleaned_data for f in others if f.cleaned_data.get("name")])


def _book(request, form, others, reviewed, action, coop=None) -> JointMeeting | None:
    """Save the meeting as a draft, or send the invitation to the chosen Kela contact (a
    meeting booked for Kela's cooperation request `coop` answers it)."""
    invite = action == "invite"
    if invite and not form.cleaned_data.get("kela_contact"):
        form.add_error("kela_contact", _("Choose the Kela contact person to invite."))
        return None
    try:
        meeting = services.meeting_create(
            meeting=form.save(commit=False),
            by=request.user,
            kela_contact=form.cleaned_data.get("kela_contact"),
            others=_others(form, others),
            invite=invite,
            reviews_plan=reviewed,
            joins=form.cleaned_data["joins"],
            cooperation_request=coop,
        )
    except ValidationError as e:
        add_errors(form, e)
        return None
    messages.success(
        request, _("The invitation was sent.") if invite else _("The draft was saved.")
    )
    if invite:
        _tell_if_away(request, meeting, form.cleaned_data["kela_contact"])
    _warn_if_day_off(request, meeting)
    return meeting


def _book_free_time(request, form, others, reviewed, coop=None) -> JointMeeting | None:
    """Book the chosen free time: the meeting is confirmed at once (issue 18), and answers
    Kela's cooperation request `coop` if it was booked for one."""
    slot = form.cleaned_data["slot"]
    try:
        meeting = services.slot_book(
            slot=slot,
            meeting=form.save(commit=False),
            by=request.user,
            others=_others(form, others),
            reviews_plan=reviewed,
            joins=form.cleaned_data["joins"],
            cooperation_request=coop,
        )
    except ValidationError as e:
        add_errors(form, e)
        return None
    messages.success(
        request,
        _(
            "The meeting is booked and confirmed: %(name)s's free time %(when)s is yours. You "
            "both got the confirmation with a calendar file."
        )
        % {"name": slot.contact.get_full_name(), "when": slot.label},
    )
    return meeting


def _with_free_time(post):
    """Booking a free time: its time (and its place, at Kela's office) fill the form, so that
    the form checks them as if they were typed."""
    data = post.copy()
    slot = _slot_or_none(post.get("slot"))
    if slot is not None:
        start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
        data["day"] = f"{start:%d.%m.%Y}"
        data["start_time"], data["end_time"] = f"{start:%H:%M}", f"{end:%H:%M}"
        data["kela_contact"] = str(slot.contact_id)
        if slot.modality == Modality.FACE_TO_FACE and not data.get("place"):
            data["place"] = slot.place
    return data


def _slot_or_none(pk) -> KelaSlot | None:
    try:
        return KelaSlot.objects.select_related("contact").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def _free_times(contact_pk, chosen=None) -> dict:
    """The free times a worker may book with the chosen Kela contact (next weeks)."""
    try:
        contact_pk = int(contact_pk)
    except (TypeError, ValueError):
        return {"free_contact": None, "free_slots": []}
    contact = User.objects.filter(
        pk=contact_pk, kela_profile__in=KelaContactProfile.objects.active()
    ).first()
    if contact is None:
        return {"free_contact": None, "free_slots": []}
    return {
        "free_contact": contact,
        "free_slots": services.free_times_offered(contact),
        "chosen_slot": str(chosen or ""),
        "offered_weeks": OFFERED_WEEKS,
    }


@require_GET
@worker_required
def free_times(request):
    """The chosen Kela contact's free times, put into the booking form by htmx when the contact
    is chosen (without JavaScript: the form's "Show free times" button)."""
    return render(
        request, "meetings/_free_times.html", _free_times(request.GET.get("kela_contact"))
    )


def _plan_to_review(request, youth) -> FollowUpPlan | None:
    """The plan a review meeting is booked for (`review_of`: the meeting of the plan), if the
    worker sees it and it is this young person's; else None, or 404 for a plan not theirs."""
    pk = request.POST.get("review_of") or request.GET.get("review_of")
    if not pk:
        return None
    try:
        uuid.UUID(pk)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        FollowUpPlan.objects.select_related("meeting"),
        meeting__in=JointMeeting.objects.visible_to(request.user),
        meeting__pk=pk,
        meeting__youth=youth,
    )


def _request_answered(request, youth) -> CooperationRequest | None:
    """The cooperation request from Kela this meeting answers (`cooperation_request`): taken
    by this worker and linked to this young person (else 404)."""
    pk = request.POST.get("cooperation_request") or request.GET.get("cooperation_request")
    if not pk:
        return None
    try:
        uuid.UUID(pk)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        CooperationRequest.objects.visible_to(request.user).waiting(),
        pk=pk,
        youth=youth,
        status=CooperationRequest.Status.TAKEN,
        taken_by=request.user,
    )


def _review_initial(plan: FollowUpPlan | None) -> dict:
    """A review meeting starts from the plan's meeting: the same Kela contact, the goal."""
    if plan is None:
        return {}
    meeting = plan.meeting
    kela = meeting.kela_participant
    day = date_format(meeting.day, "SHORT_DATE_FORMAT")
    return {
        "goal": _("Review of the follow-up plan (joint meeting on %(day)s)") % {"day": day},
        "kela_contact": kela.user_id if kela and kela.is_taking_part else None,
        "topics": meeting.topics,
    }


def _tell_if_away(request, meeting, chosen) -> None:
    """The Kela contact the worker chose is away (issue 18): the invitation went to their
    substitute (meetings.services.meeting_invite), or, with none named, waits for them."""
    route = kela_contact_route(chosen, timezone.localdate(), meeting.day)
    if route.absence is None:
        return
    who = {"chosen": chosen.get_full_name(), "period": route.absence.period}
    if route.rerouted:
        messages.warning(
            request,
            _("%(chosen)s is away %(period)s: the invitation went to %(name)s instead.")
            % {**who, "name": route.recipient.get_full_name()},
        )
    else:
        messages.warning(
            request,
            _(
                "%(chosen)s is away %(period)s and has named no substitute: the invitation "
                "waits for their return."
            )
            % who,
        )


def _posted(post) -> dict:
    data = post.dict()
    data["topics"] = post.getlist("topics")
    return data


def _posted_others(post) -> list[dict]:
    """The other participants typed so far (at most as many rows as the form allows)."""
    try:
        total = min(int(post.get("others-TOTAL_FORMS") or 0), OtherParticipantFormSet.absolute_max)
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        row = {
            k: post.get(f"others-{i}-{k}", "")
            for k in (
                "name",
                "network_role",
                "role_title",
                "organisation_name",
                "email",
                "interpreter_language",
                "joins_by",
            )
        }
        if any(row.values()):
            rows.append(row)
    return rows


def _detail_context(request, meeting, **forms) -> dict:
    user = request.user
    # A network member removed before the meeting is kept for the record, not listed.
    participants = [p for p in meeting.participants.all() if not p.is_removed]
    mine = next((p for p in participants if p.user_id == user.pk), None)
    plan = meeting.plan_or_none
    # The page asks three questions of today's consent: read once.
    scopes = meeting.consented_scopes()
    shows_plan = meeting.plan_visible_to(user, scopes)
    items = []
    if plan is not None:
        items = plan.items.with_history()
        if not shows_plan:
            items = items.filter(owner=mine)
    context = {
        "meeting": meeting,
        "participants": participants,
        "mine": mine,
        "plan": plan if shows_plan else None,
        "items": items,
        "reviews": plan.reviews.all() if plan is not None and shows_plan else [],
        "is_worker": user.is_aftercare_worker,
        "kela": meeting.kela_participant,
        "respond_form": RespondForm(),
        "cancel_form": CancelForm(),
        "invite_form": InviteForm(),
        "held_form": MarkHeldForm(),
        "deny_form": TakingPartDenyForm(),
        "has_consent": Scope.KELA_MEETING in scopes,  # services.valid_kela_consent's rule
        # The worker sees whether the network members with an address hear of the meeting.
        "network_messaged": user.is_aftercare_worker
        and any(p.is_network_member and p.email for p in participants)
        and notifications.network_may_be_messaged(meeting.youth_id),
        "identity": meeting.identity_visible_to(user, scopes),
        # Kela may download the young person's plain-language copy while the plan is shared:
        # PlanExport.objects.visible_to's rule, whose parts (the meeting seen, the plan shared)
        # this page has already asked.
        "plain_copy": plan.exports.filter(variant=PlanExport.Variant.PLAIN)
        .order_by("-number")
        .first()
        if plan is not None and shows_plan and user.is_kela_contact
        else None,
    }
    context.update(_review_meeting_context(meeting, user, shows_plan))
    context.update(forms)
    return context


def _review_meeting_context(meeting, user, shows_plan: bool) -> dict:
    """A review meeting shows the plan it continues (its items, not a copy of them) and the
    review round recorded in it, to whoever may see that plan."""
    if not meeting.is_review_meeting:
        return {}
    reviewed = FollowUpPlan.objects.select_related("meeting").get(pk=meeting.reviews_plan_id)
    held_review = Review.objects.filter(meeting=meeting).first()
    return {
        "reviewed_plan": reviewed if shows_plan else None,
        "reviewed_items": reviewed.items.with_history() if shows_plan else [],
        "held_reviews": [held_review] if held_review and shows_plan else [],
        "may_record_review": user.is_aftercare_worker
        and held_review is None
        and meeting.was_held
        and reviewed.meeting.awaits_review,
    }


def _render_detail(request, meeting, status=200, **extra):
    """The meeting page, logged: the meeting, and the identifying data when they are shown."""
    access_log_write(
        user=request.user, youth_id=meeting.youth_id, action=AccessLog.Action.READ, obj=meeting
    )
    context = _detail_context(request, meeting, **extra)
    if context["identity"]:
        access_log_write(
            user=request.user,
            youth_id=meeting.youth_id,
            action=AccessLog.Action.READ,
            obj=meeting,
            what=IDENTITY,
        )
    return render(request, "meetings/meeting_detail.html", context, status=status)


# What the access log calls the identifying data disclosed to Kela, and the identity code.
IDENTITY, IDENTITY_CODE = "kela_identity", "kela_identity_code"


@require_GET
@any_member
def meeting_detail(request, pk):
    """A joint meeting; a Kela contact sees only what the consent covers."""
    return _render_detail(request, meeting_or_404(request, pk))


@require_POST
@never_cache
@role_required(User.Role.KELA_CONTACT)
def identity_code_show(request, pk):
    """The invited Kela contact opens the young person's identity code (consent needed); each
    opening is its own access-log row. Without the consent scope, or with no code: 404."""
    meeting = meeting_or_404(request, pk)
    if not meeting.identity_visible_to(request.user) or not meeting.youth.identity_code:
        access_log_write(
            user=request.user,
            youth_id=meeting.youth_id,
            action=AccessLog.Action.DENIED,
            obj=meeting,
            what=IDENTITY_CODE,
        )
        raise Http404
    access_log_write(
        user=request.user,
        youth_id=meeting.youth_id,
        action=AccessLog.Action.READ,
        obj=meeting,
        what=IDENTITY_CODE,
    )
    return _render_detail(request, meeting, identity_code=meeting.youth.identity_code)


def _warn_if_day_off(request, meeting):
    """A meeting at a weekend or on a public holiday is allowed (aftercare meets young people
    when they can), but said so: Kela's offices are closed then."""
    day = timezone.localdate(meeting.starts_at)
    what = day_off_name(day)
    if what:
        messages.warning(
            request,
            _("The meeting is on %(day)s, %(what)s: check that the time suits everyone.")
            % {"day": date_format(day, "SHORT_DATE_FORMAT"), "what": what},
        )


@require_http_methods(["GET", "POST"])
@worker_required
def meeting_edit(request, pk):
    """Change the details of a meeting that has not been held."""
    meeting = meeting_or_404(request, pk)
    form = MeetingForm(request.POST or None, instance=meeting, with_kela=False)
    if form.is_valid():
        try:
            services.meeting_update(
                meeting=form.save(commit=False), by=request.user, joins=form.cleaned_data["joins"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The changes were saved."))
            _warn_if_day_off(request, meeting)
            return redirect("meetings:detail", pk=meeting.pk)
    access_log_write(
        user=request.user, youth_id=meeting.youth_id, action=AccessLog.Action.READ, obj=meeting
    )
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "meeting": meeting, "youth": meeting.youth},
    )


def _refused(request, meeting, **forms):
    """The meeting page again with the refused form, its errors next to the fields."""
    return _render_detail(request, meeting, status=400, **forms)


def _post_action(request, meeting, call, success: str, **forms):
    """Run a service for a POST-only action; errors go back to the meeting page."""
    try:
        call()
    except ValidationError as e:
        for form in forms.values():
            add_errors(form, e)
        if not forms:
            messages.error(request, " ".join(e.messages))
            return redirect("meetings:detail", pk=meeting.pk)
        return _refused(request, meeting_or_404(request, meeting.pk), **forms)
    messages.success(request, success)
    return redirect("meetings:detail", pk=meeting.pk)


@require_POST
@worker_required
def meeting_invite(request, pk):
    """Invite a Kela contact from the directory."""
    meeting = meeting_or_404(request, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _refused(request, meeting, invite_form=form)
    chosen = form.cleaned_data["kela_contact"]
    response = _post_action(
        request,
        meeting,
        lambda: services.meeting_invite(meeting=meeting, kela_contact=chosen, by=request.user),
        _("The invitation was sent."),
        invite_form=form,
    )
    if response.status_code == 302 and meeting.status == JointMeeting.Status.INVITED:
        _tell_if_away(request, meeting, chosen)
    return response


@require_POST
@role_required(User.Role.KELA_CONTACT)
def meeting_respond(request, pk):
    """The invited Kela contact accepts, declines or proposes another time."""
    meeting = meeting_or_404(request, pk)
    participant = get_object_or_404(meeting.participants, user=request.user)
    form = RespondForm(request.POST)
    if not form.is_valid():
        return _refused(request, meeting, respond_form=form)
    data = form.cleaned_data
    return _post_action(
        request,
        meeting,
        lambda: services.invitation_respond(
            participant=participant,
            answer=data["answer"],
            by=request.user,
            message=data["message"],
            proposed_start=data.get("proposed_start"),
        ),
        _("Your answer was sent to the organiser."),
        respond_form=form,
    )


@require_POST
@worker_required
def proposal_accept(request, pk, participant_pk):
    """Accept the time the Kela contact proposed: the meeting moves to it."""
    meeting = meeting_or_404(request, pk)
    participant = get_object_or_404(meeting.participants, pk=participant_pk)
    return _post_action(
        request,
        meeting,
        lambda: services.proposal_accept(participant=participant, by=request.user),
        _("The meeting was moved to the proposed time and confirmed."),
    )


@require_POST
@worker_required
def meeting_held(request, pk):
    """Mark the meeting held (confirming that Kela took part, if Kela did not answer in the
    app); the follow-up plan (of a review meeting: the review) is recorded next."""
    meeting = meeting_or_404(request, pk)
    form = MarkHeldForm(request.POST)
    form.is_valid()  # one optional tick box: always valid
    try:
        services.meeting_mark_held(
            meeting=meeting, by=request.user, kela_took_part=form.cleaned_data["kela_took_part"]
        )
    except ValidationError as e:
        if "kela_took_part" in getattr(e, "error_dict", {}):  # the message next to the tick box
            add_errors(form, e)
            return _refused(request, meeting_or_404(request, meeting.pk), held_form=form)
        messages.error(request, " ".join(e.messages))
        return redirect("meetings:detail", pk=meeting.pk)
    if meeting.is_review_meeting:
        # A review meeting continues its plan: its review is recorded next, not a new plan.
        messages.success(request, _("The meeting was marked held. Record the review next."))
        return redirect("meetings:review", pk=meeting.pk)
    messages.success(request, _("The meeting was marked held. Record the follow-up plan next."))
    return redirect("meetings:plan", pk=meeting.pk)


@require_POST
@worker_required
def meeting_cancel(request, pk):
    """Cancel the meeting, with a reason."""
    meeting = meeting_or_404(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _refused(request, meeting, cancel_form=form)
    reason = form.cleaned_data["reason"]
    return _post_action(
        request,
        meeting,
        lambda: services.meeting_cancel(meeting=meeting, by=request.user, reason=reason),
        _("The meeting was cancelled."),
        cancel_form=form,
    )


@require_http_methods(["GET", "POST"])
@worker_required
def meeting_record(request, youth_pk):
    """Record a meeting after the fact (arranged by phone, say): a past time, held at once."""
    youth = get_object_or_404(YouthClient.objects.visible_to(request.user), pk=youth_pk)
    search = DirectorySearchForm(request.POST or request.GET or None, prefix="search")
    filters = search.cleaned_data if search.is_valid() else {}
    action = request.POST.get("action")
    data = request.POST if request.method == "POST" and action != "search" else None
    initial = {"language": youth.language_id, "interpreter_needed": youth.needs_interpreter}
    form = RecordedMeetingForm(data, initial=initial, instance=JointMeeting(youth=youth), **filters)
    others = OtherParticipantFormSet(data, prefix="others")
    if action == "search":
        # Filtering the directory keeps everything typed so far, without error messages.
        form = RecordedMeetingForm(
            initial=_posted(request.POST), instance=JointMeeting(youth=youth), **filters
        )
        others = OtherParticipantFormSet(initial=_posted_others(request.POST), prefix="others")
    elif data is not None and form.is_valid() and others.is_valid():
        try:
            meeting = services.meeting_record_afterwards(
                meeting=form.save(commit=False),
                by=request.user,
                kela_contact=form.cleaned_data.get("kela_contact"),
                others=form.others_joining(
                    [f.cleaned_data for f in others if f.cleaned_data.get("name")]
                ),
                joins=form.cleaned_data["joins"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, _("The meeting was recorded as held. Record the follow-up plan next.")
            )
            return redirect("meetings:plan", pk=meeting.pk)
    access_log_write(user=request.user, youth_id=youth.pk, action=AccessLog.Action.READ, obj=youth)
    context = {"form": form, "others": others, "search": search, "youth": youth, "afterwards": True}
    return render(request, "meetings/meeting_form.html", context)


@require_POST
@role_required(User.Role.KELA_CONTACT)
def taking_part_deny(request, pk):
    """A Kela contact recorded by the worker as having taken part says they did not. Their
    part in the meeting ends, so they go back to their list of meetings."""
    meeting = meeting_or_404(request, pk)
    participant = get_object_or_404(meeting.participants, user=request.user)
    form = TakingPartDenyForm(request.POST)
    if not form.is_valid():
        return _refused(request, meeting, deny_form=form)
    try:
        services.taking_part_deny(
            participant=participant, by=request.user, message=form.cleaned_data["message"]
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("meetings:detail", pk=meeting.pk)
    messages.success(
        request, _("Recorded: you did not take part. The aftercare worker has been told.")
    )
    return redirect("meetings:list")
