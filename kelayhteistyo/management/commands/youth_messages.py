"""Keep the youth catalogs (ar, fa_AF, so, ru, uk, ti) in step with the youth-facing texts.

`python manage.py youth_messages` appends to each youth catalog every youth text it lacks, with an
empty translation, and lists them; a translator (or a developer, until one has checked) fills
them in, then `compilemessages`. `--check` only lists them and fails if any is missing. Which
texts are youth-facing: kelayhteistyo/youth.py (YOUTH_TEMPLATES, YOUTH_MODULES, YOUTH_OBJECTS).
The file is appended to, never rewritten, so the diff shows only the new entries.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kelayhteistyo import youth


class Command(BaseCommand):
    help = "Add the youth texts a youth catalog lacks (empty), or --check that none is missing."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only list; fail if missing")

    def handle(self, *args, check=False, **options):
        import polib  # a development dependency

        wanted = youth.youth_msgids()
        missing_anywhere = False
        for code in youth.youth_languages():
            if code in dict(settings.LANGUAGES):
                continue  # fi, sv, en: the project's own catalogs (README, Translations)
            path = youth.catalog_path(code)
            catalog = polib.pofile(str(path))
            have = {(e.msgctxt or "", e.msgid): e for e in catalog if not e.obsolete}
            nplurals = int(catalog.metadata.get("Plural-Forms", "nplurals=2").split("=")[1][0])
            new, untranslated = [], []
            for (ctx, msgid), plural in wanted.items():
                entry = have.get((ctx, msgid))
                if entry is None:
                    entry = polib.POEntry(msgid=msgid, msgstr="")
                    if ctx:
                        entry.msgctxt = ctx
                    if plural:
                        entry.msgid_plural = plural
                        entry.msgstr_plural = {i: "" for i in range(nplurals)}
                    new.append(entry)
                elif (plural and not all(entry.msgstr_plural.values())) or (
                    not plural and not entry.msgstr
                ):
                    untranslated.append(msgid)
            for msgid in [e.msgid for e in new] + untranslated:
                missing_anywhere = True
                self.stdout.write(f"{code}: {msgid}")
            if new and not check:
                text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
                text += "".join("\n" + str(entry) for entry in new)
                path.write_text(text, encoding="utf-8")
        if check and missing_anywhere:
            raise CommandError("Youth texts without a translation: see above.")
