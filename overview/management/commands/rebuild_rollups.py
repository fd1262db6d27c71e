"""Rebuild the dashboard's per-month summary rows from the raw rows (`overview.rollups`)."""

import time

from django.core.management.base import BaseCommand, CommandError

from overview.aggregates import aggregates
from overview.filters import whole_months
from overview.raw import aggregates_raw
from overview.rollups import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the dashboard's per-month summary rows; --check compares them with the raw rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="After rebuilding, compare the whole country's figures with the raw rows.",
        )

    def handle(self, *args, check, **options):
        started = time.perf_counter()
        months = rollups_rebuild()
        self.stdout.write(f"{months} months rebuilt in {time.perf_counter() - started:.1f} s.")
        if check:
            import datetime

            period = whole_months(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
            if aggregates(None, period) != aggregates_raw(None, period):
                raise CommandError("The summary rows differ from the raw rows.")
            self.stdout.write("The summary rows equal the raw rows.")
