"""The feedback links on a meeting's page: the meeting app shows them without importing feedback
(feedback is the layer above it)."""

import segno
from django import template

from meetings.models import Participant

from .. import services

register = template.Library()


@register.inclusion_tag("feedback/_meeting_links.html")
def meeting_feedback_links(meeting) -> dict:
    """The links the worker hands over at the end of the meeting: the young person's (with a
    QR code) and those of other network members, who have no account. Only while unused."""
    if not meeting.was_held:
        return {"links": []}
    links = (
        meeting.survey_links.open()
        .filter(participant__kind__in=[Participant.Kind.YOUNG_PERSON, Participant.Kind.OTHER])
        .select_related("participant")
    )
    result = []
    for link in links.order_by("participant_id"):
        url = services.answer_url(link)
        young = link.participant.kind == Participant.Kind.YOUNG_PERSON
        result.append(
            {
                "link": link,
                "url": url,
                "code": services.grouped(services.token(link)),
                "qr": segno.make(url, error="m").svg_data_uri(scale=6) if young else "",
            }
        )
    return {"links": result}
