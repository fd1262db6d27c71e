"""The languages of the young people served (issue 19): one home for every rule about them.

- `settings.YOUTH_LANGUAGES`: the languages of the young person's own pages (`/oma/`), their
  feedback survey (`/p/`), the plain-language plan copy and the messages to them. Professional
  pages stay in `settings.LANGUAGES` (fi, sv, en).
- The young person's language on the record (`YouthClient.language`, a `Language` row with an
  ISO 639 code) picks one: `youth_language_of`. Dari is `prs` on the record and `fa-af` in
  Django (locale folder `fa_AF`); Persian (`fa`) is served in Dari too (the same script and a
  language its speakers read).
- Right to left: `is_rtl` (Arabic, Dari), from Django's LANG_INFO (extended in settings).
- Until a human translator has checked a catalog (`X-Human-Checked: yes` in the header of
  `locale/<lang>/LC_MESSAGES/django.po`), every youth page and the plain-language copy show
  `NOTICE` in that language and in Finnish: `translation_notice`.
- Which texts are youth-facing: `YOUTH_TEMPLATES`, `YOUTH_MODULES` and `YOUTH_OBJECTS` below.
  `youth_msgids()` extracts their msgids; `tests/own/test_languages.py` checks that every
  youth catalog translates every one of them (README, *Languages of the young people*).
"""

import functools
import importlib
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

# The cookie that keeps the language of the young person's own pages (set at sign-in from the
# record, changed by the pages' own switch); the workers' language cookie is not touched.
YOUTH_COOKIE = "youth_language"
YOUTH_PATH = "/oma/"  # the own pages (overview/urls.py)

# Codes of `Language` rows that are not Django's language codes.
RECORD_CODES = {"prs": "fa-af", "fa": "fa-af"}

NOTICE = gettext_noop("Translated text – ask your worker if something is unclear.")

# Every template whose every text a young person reads.
YOUTH_TEMPLATES = [
    "templates/own/_base.html",
    "templates/own/page.html",
    "templates/own/processed.html",
    "templates/own/sign_in.html",
    "templates/own/sign_in_refused.html",
    "templates/_youth_notice.html",
    "templates/_form_errors.html",
    "templates/feedback/_public_base.html",
    "templates/feedback/answer.html",
    "templates/feedback/link_problem.html",
    "templates/feedback/thanks.html",
    "templates/meetings/plan_plain_pdf.html",
    # The light door (a link and a one-time code): its pages and its messages.
    "templates/own/light_link.html",
    "templates/own/light_new.html",
    "templates/own/light_page.html",
    "templates/own/light_problem.html",
    "templates/own/messages/light_code.txt",
    "templates/own/messages/light_code.sms.txt",
    "templates/own/messages/light_link.txt",
    "templates/own/messages/light_link.sms.txt",
]
# Every Python module whose every translatable text a young person may read.
YOUTH_MODULES = [
    "overview/own.py",
    "cases/own.py",
    "cases/reports.py",
    "overview/light.py",
    "cases/light.py",
]
# Youth-facing texts that live among others: a dotted name of a choices class (its labels), a
# dict or list (its values / the second items of pairs) or a function returning the texts.
YOUTH_OBJECTS = [
    "kelayhteistyo.youth.NOTICE",
    "kelayhteistyo.youth.SHARED_TEMPLATE_TEXTS",
    "kelayhteistyo.models.AccessLog.Action",  # who has processed your data
    "kelayhteistyo.models.AccessLog.Basis",
    "kelayhteistyo.models.User.Role",
    "django.utils.dates.WEEKDAYS",  # the day of a meeting ("l j.n.Y")
    "feedback.forms.LIKERT",  # the survey's answers
    "feedback.forms.YES_NO",
    "feedback.forms.REQUIRED",
    "feedback.forms.TOO_LONG",
    "feedback.forms.MAX_CHARACTERS",
    "feedback.defaults.youth_texts",  # the default survey of young people (English texts)
    "meetings.notifications.kinds.youth_texts",  # messages to the young person
    "cases.forms.light_youth_texts",  # the light door's forms (the code, a new link)
    "meetings.calendar.LIGHT_SUMMARY",  # the light door's calendar file
]
# The youth-facing lines of templates shared with professionals: templates/base.html around the
# youth pages, and templates/emails/notification.{txt,html} of a message to the young person.
SHARED_TEMPLATE_TEXTS = [
    gettext_noop("Answer here (no login needed)"),
    gettext_noop("Answer here (no login needed):"),
    gettext_noop("The link works until %(day)s."),
    gettext_noop("Don't want these messages? Tell your aftercare worker."),
    gettext_noop("Skip to content"),
    gettext_noop("Yhteistyö"),
    gettext_noop("Yhteistyö – joint meetings of aftercare and Kela"),
    gettext_noop("Accessibility statement"),
]


def remember_language(response, language: str) -> None:
    """The cookie of the own pages' language on a response (sign-in, the light door's link,
    the switch); the middleware below applies it under YOUTH_PATH."""
    response.set_cookie(
        YOUTH_COOKIE,
        language,
        max_age=60 * 60 * 24 * 365,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


def youth_languages() -> dict[str, str]:
    return dict(settings.YOUTH_LANGUAGES)


def is_youth_language(code: str | None) -> bool:
    return bool(code) and code in youth_languages()


def youth_language_of(record_code: str | None) -> str:
    """The language of a young person's pages and messages from the code on their record."""
    code = RECORD_CODES.get(record_code or "", record_code or "")
    return code if is_youth_language(code) else settings.LANGUAGE_CODE


def is_rtl(language: str) -> bool:
    return bool(translation.get_language_info(language).get("bidi"))


def catalog_path(language: str) -> Path:
    return (
        Path(settings.LOCALE_PATHS[0])
        / translation.to_locale(language)
        / "LC_MESSAGES"
        / ("django.po")
    )


HEADER = re.compile(r'^"X-Human-Checked:\s*(\w+)', re.MULTILINE)


@functools.cache
def human_checked(language: str) -> bool:
    """Whether a human translator has checked the catalog (its header says so). The service's
    own languages (fi, sv, en) are written by the team and need no notice."""
    if language in dict(settings.LANGUAGES):
        return True
    try:
        head = catalog_path(language).read_text(encoding="utf-8")[:4000]
    except OSError:
        return False
    found = HEADER.search(head)
    return bool(found) and found.group(1).lower() == "yes"


def translation_notice(language: str | None = None) -> list[dict]:
    """The notice in the language and in Finnish, while the catalog is not checked; else []."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if human_checked(language):
        return []
    notices = []
    for code in (language, settings.LANGUAGE_CODE):
        with translation.override(code):
            notices.append({"lang": code, "rtl": is_rtl(code), "text": translation.gettext(NOTICE)})
    return notices


# Extraction of the youth-facing msgids (for the test and for adding a language).


def _resolve(dotted: str):
    """`package.module.Class.attr` → the object (the longest importable module first)."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            value = getattr(value, attr)
        return value
    raise ImportError(dotted)


def _texts(value) -> Iterable[str]:
    if callable(value) and not hasattr(value, "choices"):
        value = value()
    if hasattr(value, "choices"):  # a Django choices class
        yield from (str(label._args[0]) for _v, label in value.choices)  # noqa: SLF001
        return
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list | tuple):
        value = [value]
    for v in value:
        if isinstance(v, tuple):
            v = v[1]
        yield v._args[0] if hasattr(v, "_args") else str(v)  # noqa: SLF001


XGETTEXT = [
    "xgettext",
    "--language=Python",
    "--from-code=UTF-8",
    "--no-location",
    "--output=-",
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]


def youth_msgids() -> dict[tuple[str, str], str | None]:
    """{(msgctxt, msgid): msgid_plural} of every youth-facing text."""
    import polib  # a development dependency: only the test and the catalog tools use this
    from django.utils.translation.template import templatize

    base = Path(settings.BASE_DIR)
    sources = [
        templatize((base / t).read_text(encoding="utf-8"), origin=t) for t in YOUTH_TEMPLATES
    ]
    sources += [(base / m).read_text(encoding="utf-8") for m in YOUTH_MODULES]
    found: dict[tuple[str, str], str | None] = {}
    for source in sources:
        out = subprocess.run(  # noqa: S603 (a fixed command; the input is our templates)
            [*XGETTEXT, "-"], input=source, capture_output=True, text=True, check=True
        ).stdout
        for entry in polib.pofile(out):
            if not entry.msgid:
                continue
            found[(entry.msgctxt or "", entry.msgid)] = entry.msgid_plural or None
    for name in YOUTH_OBJECTS:
        for text in _texts(_resolve(name)):
            found.setdefault(("", text), None)
    return found
