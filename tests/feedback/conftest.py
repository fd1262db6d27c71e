import pytest

from feedback import services as feedback
from feedback.models import Survey
from tests import factories as f


@pytest.fixture
def held(youth, alice, kela, consent):
    """A meeting just marked held: every participant has a survey link."""
    return f.held_meeting(youth=youth, organiser=alice, kela=kela)


def link_of(meeting, kind):
    return meeting.survey_links.get(participant__kind=kind)


def url_of(link):
    return feedback.answer_path(link)


def form_data(survey: Survey, **by_key) -> dict:
    """A complete answer to `survey`: 4 on every scale, yes, the first choice(s), a comment;
    `by_key` replaces the answer to a question by its short name (None leaves it out)."""
    data = {"survey": survey.pk, "lang": "fi"}
    for q in survey.questions.prefetch_related("choices"):
        choices = [c.pk for c in q.choices.all()]
        value = {
            "likert": 4,
            "yes_no": 1,
            "single": choices[:1] and choices[0],
            "multiple": choices[:2],
            "text": "Hyvä tapaaminen",
        }[q.kind]
        value = by_key.get(q.key, value)
        if value is not None:
            data[f"q{q.pk}"] = value
    return data


def current(group="young_person") -> Survey:
    return Survey.objects.get(group=group, is_current=True)
