"""Template tags of the young person's pages and documents (rules in kelayhteistyo/youth.py)."""

from django import template
from django.utils import translation

from kelayhteistyo import youth

register = template.Library()


@register.inclusion_tag("_youth_notice.html")
def youth_notice():
    """ "Translated text – ask your worker …" in the language and in Finnish, until checked."""
    return {"notices": youth.translation_notice()}


@register.simple_tag
def youth_language_list():
    """The youth languages for a language switch: code, local name, direction."""
    return [
        {**translation.get_language_info(code), "rtl": youth.is_rtl(code)}
        for code in youth.youth_languages()
    ]
