import datetime

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kelayhteistyo.forms import DateField, NamesInUserLanguageMixin, TimeField
from kelayhteistyo.models import Language, User

from .models import (
    JOINING_CHOICES,
    ActionItem,
    FollowUpPlan,
    JointMeeting,
    KelaSlot,
    Modality,
    NetworkRole,
    Participant,
    Review,
    Topic,
)


def combine(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class KelaContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        profile = user.kela_profile
        areas = ", ".join(str(a) for a in profile.areas.all())
        languages = ", ".join(str(lang) for lang in profile.languages.all())
        label = f"{user.get_full_name()} ({user.organisation}) – {areas} – {languages}"
        absence = profile.next_absence  # the worker sees who is away before choosing
        return f"{label} – {absence.summary()}" if absence else label


F2F, VIDEO, PHONE = Modality.FACE_TO_FACE, Modality.VIDEO, Modality.PHONE
YOUNG, WORKER, KELA, OTHER = (
    Participant.Kind.YOUNG_PERSON,
    Participant.Kind.AFTERCARE_WORKER,
    Participant.Kind.KELA_CONTACT,
    Participant.Kind.OTHER,
)
EACH = "each"
# How the participants join, one click each. "kela_video" is the pilot's tip: Kela by video
# while the young person meets the worker face to face. Others from the network join as the
# young person does, unless each joins in their own way (EACH: chosen per participant).
JOINING_PRESETS = {
    F2F: {YOUNG: F2F, WORKER: F2F, KELA: F2F, OTHER: F2F},
    VIDEO: {YOUNG: VIDEO, WORKER: VIDEO, KELA: VIDEO, OTHER: VIDEO},
    PHONE: {YOUNG: PHONE, WORKER: PHONE, KELA: PHONE, OTHER: PHONE},
    "kela_video": {YOUNG: F2F, WORKER: F2F, KELA: VIDEO, OTHER: F2F},
}
JOINING = [
    (F2F, _("Everyone face to face")),
    (VIDEO, _("Everyone by video")),
    (PHONE, _("Everyone by phone")),
    (
        "kela_video",
        _("The young person and the worker face to face, Kela by video (worked well in the pilot)"),
    ),
    (EACH, _("Each participant in their own way (choose below)")),
]


def _way_field(label, blank_label=None) -> forms.ChoiceField:
    choices = [("", blank_label or "–"), *JOINING_CHOICES]
    return forms.ChoiceField(label=label, choices=choices, required=False)


class MeetingForm(NamesInUserLanguageMixin, forms.ModelForm):
    """Book or change a joint meeting."""

    # Meetings recorded afterwards are in the past; others in the future.
    in_past = False
    # Booking shows the chosen Kela contact's free times (issue 18).
    offers_free_times = True

    day = DateField(label=_("Date"))
    start_time = TimeField(label=_("Starts at"))
    end_time = TimeField(label=_("Ends at"))
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    video_link = forms.URLField(
        label=_("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Can be added later, before the meeting."),
    )
    kela_contact = KelaContactChoiceField(
        label=_("Kela contact person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Choose from the directory"),
    )

    # One of the Kela contact's free times, booked in one step; the template lists the choices
    # (views._free_times), the service checks that it is still free.
    slot = forms.ModelChoiceField(
        label=_("Free time"),
        queryset=KelaSlot.objects.all(),
        required=False,
        error_messages={
            "invalid_choice": _("This free time is no longer offered. Choose another free time.")
        },
    )

    # How the participants join; the meeting's modality follows (mixed when ways differ).
    modality = forms.ChoiceField(
        label=_("How the participants join"), choices=JOINING, widget=forms.RadioSelect
    )
    youth_joins = _way_field(_("The young person joins"))
    worker_joins = _way_field(_("The aftercare worker joins"))
    kela_joins = _way_field(_("Kela joins"))

    class Meta:
        model = JointMeeting
        fields = [
            "goal",
            "topics",
            "topics_other",
            "youth_questions",
            "place",
            "video_link",
            "language",
            "interpreter_needed",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "youth_questions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args, county=None, language=None, with_kela=True, free_time=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["place"].help_text = _("Needed when someone meets face to face.")
        # Booking a free time: its time fills the date and times (views._with_free_time).
        self.free_time = free_time
        if free_time:
            for name in ("day", "start_time", "end_time"):
                self.fields[name].required = False
        if with_kela:
            contact = self.fields["kela_contact"]
            contact.queryset = User.objects.kela_contacts(county, language)
            if self.offers_free_times:
                contact.widget.attrs.update(
                    {
                        "hx-get": reverse("meetings:free_times"),
                        "hx-target": "#free-times",
                        "hx-trigger": "change",
                    }
                )
        else:
            del self.fields["kela_contact"]
        # A meeting being changed: the others already named, each with a way of their own.
        self.others = [
            p
            for p in (self.instance.participants.all() if self.instance.pk else [])
            if p.kind == OTHER and p.is_taking_part
        ]
        for p in self.others:
            self.fields[f"other_{p.pk}_joins"] = _way_field(
                _("%(name)s joins") % {"name": p.display_name}, _("As the young person")
            )
        if self.instance.starts_at:
            start = timezone.localtime(self.instance.starts_at)
            end = timezone.localtime(self.instance.ends_at)
            self.initial.update(day=start.date(), start_time=start.time(), end_time=end.time())
        if self.instance.pk:
            self.initial.update(self._joining_initial())

    def _joining_initial(self) -> dict:
        """The ways the participants of a meeting being changed join, as the form shows them."""
        ways = {OTHER: ""}
        initial = {}
        for p in self.instance.participants.all():
            if p.is_taking_part and p.kind != OTHER:
                ways[p.kind] = p.joins_by or self.instance.modality
        for p in self.others:
            initial[f"other_{p.pk}_joins"] = p.joins_by
        initial.update(
            youth_joins=ways.get(YOUNG, ""),
            worker_joins=ways.get(WORKER, ""),
            kela_joins=ways.get(KELA, ""),
        )
        others_as_youth = all(p.joins_by in ("", ways.get(YOUNG)) for p in self.others)
        for preset, preset_ways in JOINING_PRESETS.items():
            if others_as_youth and all(
                preset_ways[kind] == way for kind, way in ways.items() if kind != OTHER
            ):
                initial["modality"] = preset
                break
        else:
            initial["modality"] = EACH
        return initial

    def other_way_fields(self) -> list:
        """The fields of the others already named (a meeting being changed)."""
        return [self[f"other_{p.pk}_joins"] for p in self.others]

    def each_way(self) -> bool:
        return self.cleaned_data.get("modality") == EACH

    def joins(self, cleaned: dict) -> dict:
        """How each participant joins: a participant's kind (or pk) → face to face / video /
        phone (services.participants_set_joining)."""
        preset = cleaned.get("modality")
        if preset in JOINING_PRESETS:
            return dict(JOINING_PRESETS[preset])
        youth = cleaned.get("youth_joins") or ""
        joins = {
            YOUNG: youth,
            WORKER: cleaned.get("worker_joins") or "",
            KELA: cleaned.get("kela_joins") or "",
            OTHER: youth,
        }
        for p in self.others:
            joins[p.pk] = cleaned.get(f"other_{p.pk}_joins") or youth
        return joins

    def others_joining(self, rows: list[dict]) -> list[dict]:
        """The new network members' rows, each with the way they join: their own only when
        each participant joins in their own way, else the way the preset gives others."""
        joins = self.cleaned_data["joins"]
        return [
            {**row, "joins_by": (row.get("joins_by") if self.each_way() else "") or joins[OTHER]}
            for row in rows
        ]

    def _has_kela(self, cleaned: dict) -> bool:
        """A Kela contact is chosen (booking), or takes part (a meeting being changed)."""
        if "kela_contact" in self.fields:
            return bool(cleaned.get("kela_contact"))
        return any(p.kind == KELA and p.is_taking_part for p in self.instance.participants.all())

    def _clean_joining(self, cleaned: dict) -> None:
        if cleaned.get("modality") == EACH:
            required = {
                "youth_joins": _("Choose how the young person joins."),
                "worker_joins": _("Choose how the aftercare worker joins."),
            }
            if self._has_kela(cleaned):
                required["kela_joins"] = _("Choose how Kela joins.")
            for field, message in required.items():
                if not cleaned.get(field):
                    self.add_error(field, message)
        joins = cleaned["joins"] = self.joins(cleaned)
        ways = {way for way in joins.values() if way}
        if ways:
            self.instance.modality = ways.pop() if len(ways) == 1 else Modality.MIXED
        if F2F in joins.values() and not cleaned.get("place"):
            self.add_error("place", _("Tell where the meeting is held."))

    def clean(self):
        cleaned = super().clean()
        if self.free_time and not cleaned.get("slot") and "slot" not in self.errors:
            self.add_error("slot", _("Choose one of the free times."))
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start:
            starts_at = combine(day, start)
            if self.in_past and starts_at > timezone.now():
                self.add_error("day", _("A meeting recorded afterwards must be in the past."))
            elif not self.in_past and starts_at <= timezone.now():
                self.add_error("day", _("The meeting cannot be in the past."))
            self.instance.starts_at = starts_at
            if end:
                minutes = (combine(day, end) - starts_at).total_seconds() // 60
                if minutes <= 0:
                    self.add_error("end_time", _("The end must be after the start."))
                elif not 15 <= minutes <= 480:
                    self.add_error("end_time", _("A meeting lasts from 15 minutes to 8 hours."))
                else:
                    self.instance.duration_minutes = int(minutes)
        self._clean_joining(cleaned)
        return cleaned


class RecordedMeetingForm(MeetingForm):
    """Record a meeting after the fact: a past time; the Kela contact is the one who took part."""

    in_past = True
    offers_free_times = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kela_contact"].label = _("Kela contact person who took part")
        self.fields["video_link"].help_text = ""


class OtherParticipantForm(NamesInUserLanguageMixin, forms.Form):
    """A row of other network members. Empty rows are fine; a row with anything needs a name
    and a role; an interpreter, the language interpreted."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    network_role = forms.ChoiceField(
        label=_("Role"), choices=[("", "–"), *NetworkRole.choices], required=False
    )
    role_title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        max_length=254,
        required=False,
        help_text=_(
            "The invitation, changes and reminders go here if the consent covers messages to "
            "the network."
        ),
    )
    interpreter_language = forms.ModelChoiceField(
        label=_("Language interpreted"),
        queryset=Language.objects.all(),
        required=False,
        help_text=_("Needed for an interpreter."),
    )
    joins_by = _way_field(_("Joins"), _("As the young person"))

    def clean(self):
        cleaned = super().clean()
        typed = {k: v for k, v in cleaned.items() if k != "joins_by" and v}
        if typed and not cleaned.get("name"):
            self.add_error("name", _("Give the name of this participant."))
        if typed and not cleaned.get("network_role") and "network_role" not in self.errors:
            self.add_error("network_role", _("Choose the role of this participant."))
        if cleaned.get("network_role") == NetworkRole.INTERPRETER:
            if (
                not cleaned.get("interpreter_language")
                and "interpreter_language" not in self.errors
            ):
                self.add_error(
                    "interpreter_language", _("Choose the language the interpreter interprets.")
                )
        else:
            cleaned["interpreter_language"] = None
        return cleaned

    def member_fields(self) -> dict:
        """The network member's values (services.network_member_add, _edit)."""
        return {name: self.cleaned_data.get(name) or "" for name in NETWORK_FORM_FIELDS} | {
            "interpreter_language": self.cleaned_data.get("interpreter_language")
        }


NETWORK_FORM_FIELDS = (
    "name",
    "network_role",
    "role_title",
    "organisation_name",
    "email",
    "joins_by",
)


# Capped: a forged form count neither builds a million forms nor passes (issue 15.7).
OtherParticipantFormSet = forms.formset_factory(
    OtherParticipantForm, extra=2, max_num=10, absolute_max=10, validate_max=True
)


class NetworkMemberForm(OtherParticipantForm):
    """Add or change one network member of a meeting that has not been held."""

    def __init__(self, *args, participant: Participant | None = None, **kwargs):
        if participant is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": participant.name,
                "network_role": participant.network_role,
                "role_title": participant.role_title,
                "organisation_name": participant.organisation_name,
                "email": participant.email,
                "interpreter_language": participant.interpreter_language_id,
                "joins_by": participant.joins_by,
            }
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["name"].error_messages["required"] = _("Give the name of this participant.")
        self.fields["network_role"].required = True
        self.fields["network_role"].error_messages["required"] = _(
            "Choose the role of this participant."
        )


class InviteForm(forms.Form):
    kela_contact = KelaContactChoiceField(
        label=_("Kela contact person"),
        queryset=User.objects.none(),
        empty_label=_("Choose from the directory"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kela_contact"].queryset = User.objects.kela_contacts()


class RespondForm(forms.Form):
    ANSWERS = [
        (Participant.Status.ACCEPTED, _("I accept")),
        (Participant.Status.DECLINED, _("I decline")),
        (Participant.Status.PROPOSED, _("I propose another time")),
    ]
    answer = forms.ChoiceField(label=_("Your answer"), choices=ANSWERS, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message to the organiser"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you decline."),
    )
    proposed_day = DateField(label=_("Proposed date"), required=False)
    proposed_time = TimeField(label=_("Proposed time"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == Participant.Status.PROPOSED:
            day, time = cleaned.get("proposed_day"), cleaned.get("proposed_time")
            if not day:
                self.add_error("proposed_day", _("Give the date you propose."))
            if not time:
                self.add_error("proposed_time", _("Give the time you propose."))
            if day and time:
                cleaned["proposed_start"] = combine(day, time)
                if cleaned["proposed_start"] <= timezone.now():
                    self.add_error("proposed_day", _("The proposed time must be in the future."))
        if cleaned.get("answer") == Participant.Status.DECLINED and not cleaned.get("message"):
            self.add_error("message", _("Tell the organiser why you decline."))
        return cleaned


class MarkHeldForm(forms.Form):
    kela_took_part = forms.BooleanField(
        label=_("Kela took part"),
        required=False,
        help_text=_(
            "The Kela contact person took part although they did not accept the invitation in "
            "the app. They are told, and can correct it."
        ),
    )


class TakingPartDenyForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the aftercare worker (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "deny_%s")  # unique ids beside the answer form
        super().__init__(*args, **kwargs)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=500,
        error_messages={"required": _("Give a reason for cancelling.")},
    )


class PlanForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = FollowUpPlan
        fields = [
            "own_words",
            "summary",
            "kela_cooperation",
            "kela_cooperation_how",
            "progress_followup",
            "review_date",
            "next_service",
            "recorded_in_client_plan",
        ]
        widgets = {
            "own_words": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "kela_cooperation": forms.RadioSelect,
        }
        field_classes = {"review_date": DateField}

    def __init__(self, *args, meeting: JointMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.instance.meeting = meeting  # the model's clean() checks the dates against it
        review_date = self.fields["review_date"]
        if meeting.status == JointMeeting.Status.COOPERATION_ENDED:
            # No more rounds: the plan can still be edited (e.g. recorded into the client
            # plan) without a review date, and none can be set.
            review_date.disabled = True
            review_date.help_text = _("The cooperation has ended: no more reviews.")
        else:
            review_date.required = True
            review_date.help_text = _("When do you check together how things went?")
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def plan_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActionItemForm(forms.ModelForm):
    """Who does what and when. Who is a participant, or a named outside service
    ("TE-palvelut") that an aftercare worker of the meeting follows up."""

    class Meta:
        model = ActionItem
        fields = ["owner", "outside_service", "outside_service_email", "what", "due_date"]
        field_classes = {"due_date": DateField}

    def __init__(self, *args, meeting: JointMeeting, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        # The model's clean() checks the due date against the meeting.
        self.instance.plan = getattr(meeting, "plan", None)
        if user is not None and not user.is_aftercare_worker:
            # A Kela contact's items are its own (services.action_item_add, _edit).
            del self.fields["owner"]
            del self.fields["outside_service"]
            del self.fields["outside_service_email"]
            return
        owner = self.fields["owner"]
        owner.queryset = meeting.participants.exclude(status=Participant.Status.DECLINED)
        owner.label_from_instance = lambda p: f"{p.display_name} ({p.get_kind_display()})"
        owner.empty_label = _("Choose who")
        # Not needed when an outside service is named: the worker then follows it up.
        owner.required = False
        self.fields["outside_service"].label = _("Or an outside service does it")

    def clean(self):
        cleaned = super().clean()
        if (
            "owner" in self.fields
            and not cleaned.get("owner")
            and not cleaned.get("outside_service")
            and "owner" not in self.errors
        ):
            self.add_error("owner", _("Choose who does it, or name the outside service."))
        return cleaned


class ActionItemEditForm(ActionItemForm):
    """Change an item's wording, owner or due date. `version` is the item's version when the
    form was opened: a save from an outdated form is refused (services.action_item_edit)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    move_note = forms.CharField(
        label=_("Why the due date moves (optional)"), max_length=1000, required=False
    )

    def __init__(self, *args, meeting: JointMeeting, user: User, **kwargs):
        super().__init__(*args, meeting=meeting, user=user, **kwargs)
        self.fields["version"].initial = self.instance.version

    def item_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "what": data["what"],
            "owner": data.get("owner"),
            "outside_service": data.get("outside_service"),
            "outside_service_email": data.get("outside_service_email"),
            "due_date": data["due_date"],
            "note": data["move_note"],
            "version": data["version"],
        }


class ActionItemCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is not needed"), max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "cancel_%s")  # unique ids beside the item's other forms
        super().__init__(*args, **kwargs)


class ActionItemNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Progress note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "progress_%s")  # unique ids beside the item's other forms
        super().__init__(*args, **kwargs)


class ReviewForm(forms.ModelForm):
    """One review round. `agreed_for` carries the review date the form was opened for, so that
    a second submission of the same round is refused (services.review_record)."""

    agreed_for = forms.DateField(required=False, widget=forms.HiddenInput)
    done_items = forms.ModelMultipleChoiceField(
        label=_("Mark done"),
        queryset=ActionItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Review
        fields = [
            "held_on",
            "with_young_person",
            "with_kela",
            "how_it_went",
            "kela_continues",
            "next_review_date",
            "close_cooperation",
            "end_reason",
            "end_details",
        ]
        widgets = {
            "how_it_went": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"held_on": DateField, "next_review_date": DateField}

    def __init__(self, *args, plan: FollowUpPlan, held_in: JointMeeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        if held_in is not None:  # a review held as a joint meeting: who took part is known
            kela = held_in.kela_participant
            self.fields["held_on"].initial = held_in.day
            self.fields["with_young_person"].initial = True
            self.fields["with_kela"].initial = kela is not None and kela.is_taking_part
        self.fields["agreed_for"].initial = plan.review_date
        self.fields["kela_continues"].initial = (
            plan.kela_cooperation == FollowUpPlan.KelaCooperation.YES
        )
        self.fields["end_reason"].help_text = _("Needed when the cooperation ends.")
        done = self.fields["done_items"]
        done.queryset = plan.items.filter(status=ActionItem.Status.OPEN).select_related(
            "owner__user"
        )
        done.label_from_instance = lambda item: f"{item.what} ({item.owner_label})"

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("The review cannot be in the future."))
        return held_on

    def clean(self):
        cleaned = super().clean()
        nxt, close = cleaned.get("next_review_date"), cleaned.get("close_cooperation")
        held_on = cleaned.get("held_on")
        if close and nxt:
            self.add_error("next_review_date", _("Leave this empty when closing the cooperation."))
        elif not close and not nxt:
            self.add_error(
                "next_review_date", _("Set the next review date, or close the cooperation.")
            )
        elif nxt and nxt < timezone.localdate():
            self.add_error("next_review_date", _("The next review cannot be in the past."))
        elif nxt and held_on and nxt <= held_on:
            self.add_error("next_review_date", _("The next review must be after this review."))
        if close:
            if not cleaned.get("end_reason"):
                self.add_error("end_reason", _("Choose why the cooperation ends."))
            if cleaned.get("kela_continues"):
                self.add_error(
                    "kela_continues",
                    _("When the cooperation ends, cooperation with Kela does not continue."),
                )
        else:
            # A reason chosen before unticking "end the cooperation" is not kept.
            cleaned["end_reason"], cleaned["end_details"] = "", ""
        return cleaned


class FreeTimeForm(forms.Form):
    """A Kela contact publishes free times: one day, or every week until a day (the checks
    are services.slots_publish)."""

    LENGTHS = [
        (30, _("30 minutes")),
        (45, _("45 minutes")),
        (60, _("1 hour")),
        (90, _("1.5 hours")),
    ]

    starts_on = DateField(label=_("Date (the first one, when repeated)"))
    repeat_until = DateField(
        label=_("Repeat every week until"),
        required=False,
        help_text=_("Leave empty for one day only. Public holidays are skipped."),
    )
    start_time = TimeField(label=_("From"))
    end_time = TimeField(label=_("Until"))
    length = forms.TypedChoiceField(
        label=_("Length of one free time"), choices=LENGTHS, coerce=int, initial=60
    )
    modality = forms.ChoiceField(
        label=_("Way of meeting"), choices=JOINING_CHOICES, initial=Modality.VIDEO
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_("When you meet face to face, e.g. the Kela office in Seinäjoki."),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the absence form on the same page has a field named starts_on too.
        kwargs.setdefault("auto_id", "id_free_%s")
        super().__init__(*args, **kwargs)


class OwnerProposalForm(forms.Form):
    """An outside owner, by link: why the item is not done yet, and a new date if they can
    propose one (services.item_owner_propose)."""

    reason = forms.CharField(
        label=_("Why is it not done yet?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_date = DateField(label=_("Proposed new date (optional)"), required=False)
