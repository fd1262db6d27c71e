"""A national-scale data set for benchmarks: `seed_scale --youth 60000` makes about 60,000 young
people in every wellbeing services county, 150,000 joint meetings over two years, 600,000
action items and 300,000 feedback answers, with bulk inserts (a few minutes on PostgreSQL).
The generator (`overview.history`) also makes the demo's anonymous history. Repeatable: the
same --seed gives the same data.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import YouthClient
from kelayhteistyo.models import County
from overview.history import History
from overview.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Generate a national-scale data set for benchmarks (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--youth", type=int, default=60_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, youth, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed.")
        if YouthClient.objects.exists():
            raise CommandError("The database already has young people: use an empty database.")

        def progress(counts):
            line = ", ".join(f"{n:,} {what}" for what, n in counts.items())
            self.stdout.write(f"  {line}", ending="\r")

        History(seed=seed, progress=progress).generate(
            youth=youth, counties=County.objects.order_by("code")
        )
        # Written in bulk, past the services: the dashboard's summary rows from scratch.
        rollups_rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "SELECT 1")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Scale data loaded."))
