"""The young people's names of the factories cannot be part of another name or word by chance.

Many tests assert that a young person's name is *not* on a page that shows other people's names;
tests/factories.py explains why the names are chosen, and this test keeps them so.
"""

from pathlib import Path

from faker.providers.person.fi_FI import Provider

from tests.factories import YOUTH_FIRST_NAMES, YOUTH_LAST_NAMES

BASE_DIR = Path(__file__).resolve().parents[1]
SOURCES = (
    "cases",
    "meetings",
    "feedback",
    "overview",
    "kelayhteistyo",
    "templates",
    "locale",
    "tests",
)
SUFFIXES = {".py", ".html", ".txt", ".po", ".js"}
NAMES = YOUTH_FIRST_NAMES + YOUTH_LAST_NAMES


def sources():
    for folder in SOURCES:
        for path in sorted((BASE_DIR / folder).rglob("*")):
            wanted = path.suffix in SUFFIXES and path.name != "factories.py"
            if wanted and "vendor" not in path.parts:
                yield path


def test_no_name_is_part_of_another_name():
    others = set(Provider.first_names) | set(Provider.last_names) | set(NAMES)
    for name in NAMES:
        assert [other for other in others if name in other and other != name] == [], name
    assert len(set(YOUTH_FIRST_NAMES)) == len(YOUTH_FIRST_NAMES)
    assert len(set(YOUTH_LAST_NAMES)) == len(YOUTH_LAST_NAMES)


def test_no_name_is_written_in_the_sources_or_catalogs():
    found = {
        (name, str(path.relative_to(BASE_DIR)))
        for path in sources()
        for name in NAMES
        if name in path.read_text(errors="ignore")
    }
    assert found == set()
