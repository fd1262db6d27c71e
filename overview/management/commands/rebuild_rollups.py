"""Rebuild the dashboard's per-month summary rows from the raw rows (`overview.rollups`)."""

import time

from django.core.management.base import BaseCommand, CommandError

from feedback.models import Survey
from feedback.services import counts_rebuild
from overview.aggregates import aggregates
from overview.filters import whole_months
from overview.raw import aggregates_raw, result_numbers_raw
from overview.results import result_numbers, shared_keys
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
        parser.add_argument(
            "--feedback",
            action="store_true",
            help="Only the feedback results' summary rows (reporting cells and answer counts).",
        )

    def handle(self, *args, check, feedback, **options):
        started = time.perf_counter()
        if feedback:
            cells = counts_rebuild()
            self.stdout.write(
                f"{cells} reporting cells rebuilt in {time.perf_counter() - started:.1f} s."
            )
        else:
            months = rollups_rebuild()
            self.stdout.write(f"{months} months rebuilt in {time.perf_counter() - started:.1f} s.")
        if check:
            import datetime

            period = whole_months(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
            if not feedback and aggregates(None, period) != aggregates_raw(None, period):
                raise CommandError("The summary rows differ from the raw rows.")
            keys = shared_keys()
            for survey in Survey.objects.all():
                numbers = result_numbers(None, period, survey, keys)
                if numbers != result_numbers_raw(None, period, survey, keys):
                    raise CommandError(f"The results' summary rows differ: {survey}.")
            self.stdout.write("The summary rows equal the raw rows.")
