"""The languages of the young people served (issue 19): the record's language picks the own page,
the survey, the plain-language copy and the messages; Arabic and Dari right to left; the notice
while a catalog is not checked by a human; every youth text translated; no official jargon."""

import datetime
import re
import shutil
from html import unescape
from io import BytesIO

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from feedback import services as feedback
from kelayhteistyo import youth
from meetings import pdf
from meetings.models import Notification, Participant, PlanExport
from meetings.notifications.render import render as render_email
from tests import factories as f

from .test_own_page import own_sign_in, world  # noqa: F401 (a fixture)

ADDED = ["ar", "fa-af", "so", "ru", "uk", "ti"]
CATALOGS = {code: youth.catalog_path(code) for code in ADDED}

# Plain language: official words that must not appear on the youth pages, per language. Short
# on purpose: the words a young person met in the pilot's papers and did not understand
# (README, "Languages of the young people"). Checked on every rendered youth page below.
JARGON = {
    "fi": [
        "toimenpide",
        "asianosainen",
        "rekisterinpitäjä",
        "sosiaalihuoltolaki",
        "etuuskäsittely",
    ],
    "sv": ["personuppgiftsansvarig", "socialvårdslag", "förmånsbeslut", "handläggning"],
    "en": ["action item", "data controller", "pursuant", "hereby"],
    "ar": ["بموجب", "الإجراءات", "المستفيد", "المعاملة"],
    "fa-af": ["مطابق", "اقدامات", "ذینفع", "به موجب"],
    "so": ["sharciga", "waajibaad", "go'aanka maamulka"],
    "ru": ["мероприятие", "в соответствии с", "надлежащим образом", "осуществл"],
    "uk": ["відповідно до", "належним чином", "здійсню", "захід"],
    "ti": ["ሕጊ", "ስጉምቲ", "ብመሰረት"],
}


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def pdf_text(content: bytes) -> str:
    """The text in reading order; the zero-width non-joiner of Dari (a shaping hint) is left out
    by the extraction, so it is left out of the comparison."""
    reader = PdfReader(BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def plain(text: str) -> str:
    return text.replace("\u200c", "")


def in_language(client, code):
    client.cookies[youth.YOUTH_COOKIE] = code
    return client


# The catalogs


@pytest.mark.parametrize("code", ADDED)
def test_every_youth_text_is_translated(code):
    """A youth text added to a listed template or module fails here until every youth catalog
    translates it (README: how to add one)."""
    catalog = polib.pofile(str(CATALOGS[code]))
    assert catalog.metadata.get("X-Human-Checked") in {"yes", "no"}
    entries = {(e.msgctxt or "", e.msgid): e for e in catalog if not e.obsolete}
    missing = []
    for key, plural in youth.youth_msgids().items():
        entry = entries.get(key)
        if (
            entry is None
            or "fuzzy" in entry.flags
            or plural
            and not all(entry.msgstr_plural.values())
            or not plural
            and not entry.msgstr
        ):
            missing.append(key[1])
    assert not missing, f"{code}: not translated: {missing}"


def test_the_extraction_finds_texts_of_each_kind_of_source():
    found = {msgid for _ctx, msgid in youth.youth_msgids()}
    assert "I have done this" in found  # a template
    assert "Kela will" in found  # a module
    assert "Own data" in found  # a choices class
    assert "How did the meeting go?" in found  # the default survey
    assert "Hi %(name)s! Remember: “%(what)s”. Do it by %(day)s." in found  # a message
    assert "Wednesday" in found
    assert "Dashboard" not in found  # the workers' navigation is not youth-facing


def test_the_record_picks_the_language():
    assert youth.youth_language_of("ar") == "ar"
    assert youth.youth_language_of("prs") == "fa-af"  # Dari on the record (ISO 639-3)
    assert youth.youth_language_of("ti") == "ti"
    assert youth.youth_language_of("de") == settings.LANGUAGE_CODE  # not served: Finnish
    assert youth.youth_language_of(None) == settings.LANGUAGE_CODE
    assert youth.is_rtl("ar") and youth.is_rtl("fa-af")
    assert not youth.is_rtl("so") and not youth.is_rtl("ti")


# The notice until a human has checked the translation


def test_the_notice_is_shown_until_the_header_says_checked(settings, tmp_path):
    notices = youth.translation_notice("ar")
    assert [n["lang"] for n in notices] == ["ar", "fi"]
    assert notices[0]["rtl"] and not notices[1]["rtl"]
    assert notices[0]["text"].startswith("نص مترجم")
    assert notices[1]["text"].startswith("Käännetty teksti")
    assert youth.translation_notice("fi") == []
    assert youth.translation_notice("sv") == []
    # A translator checks the Somali one: the header says so, and the notice goes.
    folder = tmp_path / "so" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    text = CATALOGS["so"].read_text(encoding="utf-8")
    (folder / "django.po").write_text(
        text.replace('"X-Human-Checked: no\\n"', '"X-Human-Checked: yes\\n"'), encoding="utf-8"
    )
    settings.LOCALE_PATHS = [tmp_path]
    youth.human_checked.cache_clear()
    try:
        assert youth.translation_notice("so") == []
    finally:
        youth.human_checked.cache_clear()


# The pages


def test_sign_in_sets_the_language_of_the_record(client, idp, own_youth):
    from .conftest import sign_in

    type(own_youth).objects.filter(pk=own_youth.pk).update(language=f.language("prs"))
    response = sign_in(client, idp)
    assert response.cookies[youth.YOUTH_COOKIE].value == "fa-af"
    page = client.get(reverse("own:page")).content.decode()
    assert '<html lang="fa-af" dir="rtl">' in page
    assert f"سلام {own_youth.first_name}!" in page


def test_the_own_page_in_arabic_is_right_to_left_with_the_notice(client, world):  # noqa: F811
    page = in_language(own_sign_in(client, world["held"].youth), "ar").get(reverse("own:page"))
    html = page.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html and "bootstrap.min.css" not in html
    text = visible(html)
    assert f"مرحبًا {world['held'].youth.first_name}!" in text
    assert "خطتك" in text and "لقد فعلتُ هذا" in text  # your plan; I have done this
    # The notice, in Arabic and in Finnish, each marked with its language and direction.
    assert '<p class="mb-0" lang="ar" dir="rtl">نص مترجم' in html
    assert '<p class="mb-0" lang="fi" dir="ltr">Käännetty teksti' in html
    # The switch offers every youth language, each named in itself.
    for code, name in (("ar", "العربيّة"), ("fa-af", "دری"), ("so", "Soomaali"), ("ti", "ትግርኛ")):
        assert f'value="{code}" lang="{code}"' in html and name in html
    processed = in_language(client, "ar").get(reverse("own:processed")).content.decode()
    assert '<html lang="ar" dir="rtl">' in processed
    assert "من اطّلع على بياناتك" in visible(processed)


def test_the_own_page_in_somali_is_left_to_right_with_the_notice(client, world):  # noqa: F811
    html = (
        in_language(own_sign_in(client, world["held"].youth), "so")
        .get(reverse("own:page"))
        .content.decode()
    )
    assert '<html lang="so">' in html and "bootstrap.min.css" in html
    text = visible(html)
    assert f"Haye {world['held'].youth.first_name}!" in text
    assert "Qorshahaaga" in text and "Waan sameeyay tan" in text
    assert "Qoraal la turjumay" in text and "Käännetty teksti" in text


def test_the_language_switch_of_the_own_pages(client, world):  # noqa: F811
    own_sign_in(client, world["held"].youth)
    response = client.post(
        reverse("set_youth_language"), {"language": "ti", "next": reverse("own:processed")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("own:processed")
    assert "ትግርኛ" in client.get(reverse("own:processed")).content.decode()
    assert '<html lang="ti">' in client.get(reverse("own:page")).content.decode()
    # Not a youth language, or a target elsewhere: nothing changes, back to the own page.
    response = client.post(
        reverse("set_youth_language"), {"language": "de", "next": "https://example.org/"}
    )
    assert response["Location"] == youth.YOUTH_PATH
    assert '<html lang="ti">' in client.get(reverse("own:page")).content.decode()


def test_the_young_persons_survey_in_arabic(client, youth, alice, kela, consent):
    type(youth).objects.filter(pk=youth.pk).update(language=f.language("ar"))
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    link = held.survey_links.get(participant__kind=Participant.Kind.YOUNG_PERSON)
    html = client.get(feedback.answer_path(link)).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    text = visible(html)
    assert "كيف كان اللقاء؟" in text  # the default survey's title, translated
    assert "استمعوا إليّ." in text  # a question
    assert "5 – صحيح تمامًا" in text  # the scale in words
    assert "أرسل الأجوبة" in text
    assert "نص مترجم" in text and "Käännetty teksti" in text
    # A professional's link stays in fi / sv / en.
    kela_link = held.survey_links.get(participant__kind=Participant.Kind.KELA_CONTACT)
    professional = client.get(feedback.answer_path(kela_link)).content.decode()
    assert 'value="ar"' not in professional and "Käännetty teksti" not in professional


def test_the_survey_in_somali_keeps_the_answers_when_a_question_is_missing(
    client, youth, alice, kela, consent
):
    type(youth).objects.filter(pk=youth.pk).update(language=f.language("so"))
    held = f.held_meeting(youth=youth, organiser=alice, kela=kela)
    link = held.survey_links.get(participant__kind=Participant.Kind.YOUNG_PERSON)
    html = client.post(feedback.answer_path(link), {"lang": "so"}).content.decode()
    assert '<html lang="so">' in html
    assert "Fadlan ka jawaab su'aashan." in visible(html)


@pytest.fixture
def plain_plan(world):  # noqa: F811
    return world["plan"]


@pytest.mark.parametrize(
    ("code", "rtl", "words"),
    [
        ("ar", True, ["ما اتفقنا عليه", "أنت ستفعل:", "نص مترجم", "Käännetty teksti"]),
        ("so", False, ["Waxa aan ku heshiinnay", "Adiga ayaa samayn doona:", "Qoraal la turjumay"]),
        ("ti", False, ["ዝተሰማማዕናሉ", "ንስኻ ክትገብር ኢኻ:"]),
        ("fa-af", True, ["آنچه توافق کردیم", "شما انجام می‌دهید:"]),
    ],
)
def test_the_plain_language_copy_in_the_youth_language(plain_plan, alice, code, rtl, words):
    export = pdf.plan_export(plain_plan, by=alice, variant=PlanExport.Variant.PLAIN, language=code)
    assert export.language == code
    with export.file.open("rb") as file:
        text = pdf_text(file.read())
    # Extracted in logical (reading) order: the words come out as written, not mirrored.
    for word in words:
        assert plain(word) in text, (word, text[:400])
    assert "Hakee asumistukea" in text  # the worker's words stay as typed


def test_the_plain_copy_is_marked_right_to_left(plain_plan):
    from django.template.loader import render_to_string

    context = {"plan": plain_plan, "meeting": plain_plan.meeting, "youth": plain_plan.meeting.youth}
    context["items"] = plain_plan.items.all()
    with translation.override("ar"):
        html = render_to_string("meetings/plan_plain_pdf.html", context)
    assert '<html lang="ar" dir="rtl">' in html
    with translation.override("so"):
        assert '<html lang="so">' in render_to_string("meetings/plan_plain_pdf.html", context)


def test_a_reminder_to_the_young_person_is_in_their_language(world, alice):  # noqa: F811
    youth_ = world["held"].youth
    type(youth_).objects.filter(pk=youth_.pk).update(
        language=f.language("ru"), email="nuori@example.org"
    )
    youth_.refresh_from_db()
    assert youth_.service_language == "ru"
    item = world["mine"]
    n = Notification.objects.create(
        kind=Notification.Kind.ITEM_DUE,
        recipient_email="nuori@example.org",
        language=youth_.service_language,
        action_item=item,
        meeting=world["held"],
        key="test-ru",
        due_at=timezone.now(),
    )
    message = render_email(n)
    assert message.subject.startswith("Скоро срок задачи")
    assert f"Привет, {youth_.first_name}! Не забудь: «Hakee asumistukea»" in message.body


# Plain language: no official jargon on any youth page


def _youth_pages(client, world, code):  # noqa: F811
    own_sign_in(client, world["held"].youth)
    in_language(client, code)
    pages = [
        client.get(reverse("own:page")).content.decode(),
        client.get(reverse("own:processed")).content.decode(),
    ]
    link = world["held"].survey_links.get(participant__kind=Participant.Kind.YOUNG_PERSON)
    pages.append(client.get(feedback.answer_path(link) + f"?lang={code}").content.decode())
    return " ".join(visible(p) for p in pages)


@pytest.mark.parametrize("code", list(JARGON))
def test_no_official_jargon_on_the_youth_pages(client, world, alice, code):  # noqa: F811
    text = _youth_pages(client, world, code).lower()
    export = pdf.plan_export(
        world["plan"], by=alice, variant=PlanExport.Variant.PLAIN, language=code
    )
    with export.file.open("rb") as file:
        text += " " + pdf_text(file.read()).lower()
    assert text.strip()
    found = [word for word in JARGON[code] if word.lower() in text]
    assert not found, f"{code}: {found}"


def test_the_word_lists_cover_every_youth_language():
    assert set(JARGON) == set(dict(settings.YOUTH_LANGUAGES))


def test_the_catalogs_are_found_where_django_looks(tmp_path):
    for code, path in CATALOGS.items():
        assert path.exists(), code
        assert path.with_suffix(".mo").exists() or shutil.which("msgfmt"), code
    with translation.override("ti"):
        assert translation.gettext("Your plan") == "መደብካ"
    with translation.override("fa-af"):
        assert translation.gettext("Your plan") == "پلان شما"
    assert datetime.date(2026, 12, 2).isoweekday() == 3
    with translation.override("so"):
        from django.utils.dateformat import format as date_format

        assert date_format(datetime.date(2026, 12, 2), "l") == "Arbaco"


def test_a_new_youth_text_is_appended_to_every_youth_catalog(settings, tmp_path, monkeypatch):
    """The procedure for adding a youth text (README): `manage.py youth_messages` appends it,
    empty, to each youth catalog; `--check` fails until it is translated."""
    from django.core.management import CommandError, call_command

    for path in CATALOGS.values():
        target = tmp_path / path.relative_to(path.parents[2])
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)
    settings.LOCALE_PATHS = [tmp_path]
    found = youth.youth_msgids()
    monkeypatch.setattr(
        youth, "youth_msgids", lambda: {**found, ("", "Your code is %(code)s."): None}
    )
    with pytest.raises(CommandError):
        call_command("youth_messages", "--check")
    before = (tmp_path / "so" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    call_command("youth_messages")
    after = (tmp_path / "so" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # appended, nothing rewritten
    entry = polib.pofile(str(tmp_path / "so" / "LC_MESSAGES" / "django.po")).find(
        "Your code is %(code)s."
    )
    assert entry is not None and entry.msgstr == ""
    with pytest.raises(CommandError):
        call_command("youth_messages", "--check")


def test_the_worker_makes_the_copy_in_a_youth_language_but_the_client_plan_in_fi_sv_en(
    client_as,
    alice,
    world,  # noqa: F811
):
    plan = world["plan"]
    youth_ = plan.meeting.youth
    type(youth_).objects.filter(pk=youth_.pk).update(language=f.language("ti"))
    client = client_as(alice)
    page = client.get(reverse("meetings:plan", args=[plan.meeting_id])).content.decode()
    assert '<option value="ti" selected>tigrinja</option>' in page  # the record's language
    url = reverse("meetings:plan_export", args=[plan.meeting_id])
    client.post(url, {"variant": "official", "language": "ti"})
    assert not PlanExport.objects.exists()
    client.post(url, {"variant": "plain", "language": "ti"})
    assert PlanExport.objects.get().language == "ti"
