"""The Finnish and Swedish translations (locale/<lang>/LC_MESSAGES/django.po) are complete.

Checked here, from the committed .po files:
- every entry has a translation (no empty msgstr, no empty plural form) and none is fuzzy;
- the header is not fuzzy and has the right Language and Plural-Forms;
- the placeholders (%(name)s, %s) of each python-format translation are those of the source;
- both languages have the same set of msgids;
- msgfmt --check accepts the file (skipped if gettext is not installed).

Not checked here: that every string marked for translation in the code is in the .po files.
That needs a fresh extraction with `manage.py makemessages`, which rewrites the .po files, so it
runs outside the test suite, on a temporary copy of the project: `make messages-check`. It fails
when a msgid in the code is missing from a .po file or is untranslated or fuzzy there; the fix is
to run makemessages and translate the new entries.
"""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
SOURCE_LANGUAGE = "en"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"

# %(name)s, %(n)d, %s, %d … ("%%" is a literal percent sign, not a placeholder).
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGcoa%]")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def load(lang: str) -> polib.POFile:
    path = po_path(lang)
    assert path.is_file(), f"{path} is missing: run `manage.py makemessages -l {lang}`"
    return polib.pofile(str(path))


def entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def where(po: polib.POFile, entry: polib.POEntry) -> str:
    return f"{Path(po.fpath).relative_to(settings.BASE_DIR)}:{entry.linenum} {entry.msgid!r}"


def placeholders(text: str) -> set[str]:
    return {p for p in PLACEHOLDER.findall(text) if p != "%%"}


def test_there_are_languages_to_check():
    assert LANGUAGES, "settings.LANGUAGES lists no language besides English"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_header(lang):
    po = load(lang)
    assert not po.metadata_is_fuzzy, f"{po_path(lang)}: remove '#, fuzzy' from the header"
    assert po.metadata.get("Language") == lang
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS
    assert po.metadata.get("Content-Type") == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang):
    po = load(lang)
    problems = []
    for entry in entries(po):
        if entry.fuzzy:
            problems.append(f"fuzzy: {where(po, entry)}")
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            if sorted(forms) != [0, 1]:
                problems.append(f"needs msgstr[0] and msgstr[1]: {where(po, entry)}")
            if not all(str(text).strip() for text in forms.values()):
                problems.append(f"untranslated plural form: {where(po, entry)}")
        elif not entry.msgstr.strip():
            problems.append(f"untranslated: {where(po, entry)}")
    assert entries(po), f"{po_path(lang)} has no entries"
    assert not problems, f"{len(problems)} problem(s) in {lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_the_source(lang):
    po = load(lang)
    problems = []
    for entry in entries(po):
        if "python-format" not in entry.flags:
            continue  # a "%" is then plain text, and Django does not interpolate
        if entry.msgid_plural:
            source = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
            # The singular form may leave the number out ("one meeting"); the others may not.
            for index, text in sorted(entry.msgstr_plural.items()):
                found = placeholders(text)
                if not found <= source or (index > 0 and found != source):
                    problems.append(f"msgstr[{index}] has {sorted(found)}: {where(po, entry)}")
        elif entry.msgstr:
            found, source = placeholders(entry.msgstr), placeholders(entry.msgid)
            if found != source:
                problems.append(f"has {sorted(found)}, source {sorted(source)}: {where(po, entry)}")
    assert not problems, "placeholders differ from the source:\n" + "\n".join(problems)


def test_all_languages_have_the_same_msgids():
    def ids(lang):
        return {(e.msgctxt, e.msgid, e.msgid_plural) for e in entries(load(lang))}

    first, *others = LANGUAGES
    for lang in others:
        only_first, only_other = ids(first) - ids(lang), ids(lang) - ids(first)
        assert not only_first and not only_other, (
            f"run makemessages for all languages: only in {first}: "
            f"{sorted(m[1] for m in only_first)}; only in {lang}: "
            f"{sorted(m[1] for m in only_other)}"
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_msgfmt_accepts_the_file(lang):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed")
    result = subprocess.run(  # noqa: S603 (a fixed command on our own file)
        [msgfmt, "--check", "-o", "/dev/null", str(po_path(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_swedish_calls_an_action_item_atgard_throughout():
    """One Swedish term for an action item (issue 16): "åtgärd", never "uppgift" (which the
    Swedish texts also use for "data", so only entries about action items or tasks count)."""
    about_items = re.compile(r"\baction items?\b|\btasks?\b", re.IGNORECASE)
    po = load("sv")
    wrong = [
        where(po, e)
        for e in entries(po)
        if about_items.search(e.msgid) and re.search(r"uppgift", e.msgstr, re.IGNORECASE)
    ]
    assert not wrong, wrong
    assert po.find("action item").msgstr == "åtgärd"
    assert po.find("Add an action item of your own").msgstr == "Lägg till en egen åtgärd"
