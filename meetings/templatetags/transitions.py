"""The transition task on the young person's record: cases shows it without importing
meetings (meetings is the layer above it)."""

from django import template
from django.utils import timezone

from ..transitions import transition_of

register = template.Library()


@register.inclusion_tag("meetings/_transition_task.html")
def transition_task(youth) -> dict:
    """ "Plan the hand-over to adult services" once the notice has started, or where the
    young person moves to once a plan records it."""
    return {"youth": youth, "transition": transition_of(youth, timezone.localdate())}
