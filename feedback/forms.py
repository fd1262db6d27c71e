from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Answer, Question, Survey

# Plain-language ends of the scale: every step has words, not only a number.
LIKERT = [
    (1, _("1 – Not true at all")),
    (2, _("2 – Mostly not true")),
    (3, _("3 – Partly true")),
    (4, _("4 – Mostly true")),
    (5, _("5 – Completely true")),
]
YES_NO = [(1, _("Yes")), (0, _("No"))]
REQUIRED = {"required": _("Please answer this question.")}


class TextAnswer(forms.CharField):
    """A free-text answer. Browsers send a line break as two characters (CR LF) but count it as
    one against maxlength: the answer is counted as the young person sees it."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


MAX_CHARACTERS = _("At most %(n)s characters.")
TOO_LONG = _("The answer is too long: at most %(limit_value)d characters (now %(show_value)d).")


def _field(question: Question) -> forms.Field:
    common = {
        "label": question.text,
        "required": question.required,
        "error_messages": REQUIRED,
    }
    kind = question.kind
    if kind == Question.Kind.TEXT:
        return TextAnswer(
            max_length=Answer.TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=MAX_CHARACTERS % {"n": Answer.TEXT_MAX},
            **{**common, "error_messages": {**REQUIRED, "max_length": TOO_LONG}},
        )
    if kind == Question.Kind.MULTIPLE:
        return forms.TypedMultipleChoiceField(
            choices=[(c.pk, c.text) for c in question.choices.all()],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    choices = {
        Question.Kind.LIKERT: LIKERT,
        Question.Kind.YES_NO: YES_NO,
        Question.Kind.SINGLE: [(c.pk, c.text) for c in question.choices.all()],
    }[kind]
    return forms.TypedChoiceField(
        choices=choices, coerce=int, empty_value=None, widget=forms.RadioSelect, **common
    )


class AnswerForm(forms.Form):
    """The questions of one survey version; the questions and choices come prefetched."""

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(survey.questions.all())
        for question in self.questions:
            self.fields[f"q{question.pk}"] = _field(question)

    def answers(self) -> list[tuple[Question, object]]:
        return [(q, self.cleaned_data.get(f"q{q.pk}")) for q in self.questions]

    def posted_values(self) -> dict:
        """What was answered so far, as initial values (to show it again unvalidated)."""
        return {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        }


# Editing ----------------------------------------------------------------------------------------


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title_fi", "title_sv", "title_en", "intro_fi", "intro_sv", "intro_en"]
        widgets = {
            f"intro_{lang}": forms.Textarea(attrs={"rows": 3}) for lang in ["fi", "sv", "en"]
        }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionForm(forms.ModelForm):
    """A question; the choices of a choice question are written one per line per language."""

    choices_fi = forms.CharField(
        label=_("Choices in Finnish, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    choices_sv = forms.CharField(
        label=_("Choices in Swedish, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    choices_en = forms.CharField(
        label=_("Choices in English, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Question
        fields = ["kind", "key", "required", "text_fi", "text_sv", "text_en"]
        help_texts = {
            "key": _(
                "Letters, digits and hyphens. Keep it when only the wording changes, so that "
                "versions can be compared; “again” is the dashboard's headline question."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            choices = list(self.instance.choices.all())
            for lang in ("fi", "sv", "en"):
                self.initial[f"choices_{lang}"] = "\n".join(
                    getattr(c, f"text_{lang}") for c in choices
                )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        fi, sv, en = (_lines(cleaned.get(f"choices_{lang}", "")) for lang in ("fi", "sv", "en"))
        if kind in Question.WITH_CHOICES:
            if len(fi) < 2:
                self.add_error("choices_fi", _("Write at least two choices, one per line."))
            elif len(sv) != len(fi):
                self.add_error("choices_sv", _("Write as many choices as in Finnish."))
            elif en and len(en) != len(fi):
                self.add_error(
                    "choices_en", _("Write as many choices as in Finnish, or leave empty.")
                )
            cleaned["choices"] = (
                [(f, s, en[i] if en else "") for i, (f, s) in enumerate(zip(fi, sv, strict=True))]
                if len(fi) == len(sv)
                else []
            )
        else:
            cleaned["choices"] = []
        return cleaned

    def spec(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return {**data, "choices": self.cleaned_data["choices"]}


class BaseQuestionFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        if any(self.errors) or self.non_form_errors():  # e.g. broken management data
            return
        keys = [form.cleaned_data["key"] for form in self.ordered_forms]
        if len(keys) != len(set(keys)):
            raise ValidationError(_("Two questions have the same short name."))
        if not keys:
            raise ValidationError(_("A survey needs at least one question."))

    def specs(self) -> list[dict]:
        """The questions to keep, in the order given."""
        return [form.spec() for form in self.ordered_forms]


# Capped: a forged form count neither builds thousands of forms nor passes (issue 15.7).
QuestionFormSet = forms.modelformset_factory(
    Question,
    form=QuestionForm,
    formset=BaseQuestionFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=60,
    absolute_max=60,
    validate_max=True,
)
