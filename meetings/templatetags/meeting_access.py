"""Object predicates for the templates, so that a page asks the model the same question as the
view (`{% if item|tickable_by:user %}`)."""

from django import template

register = template.Library()


@register.filter
def tickable_by(item, user) -> bool:
    return item.tickable_by(user)
