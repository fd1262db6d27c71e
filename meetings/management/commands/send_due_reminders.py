from django.core.management.base import BaseCommand

from meetings import notifications


class Command(BaseCommand):
    help = "Run one sweep synchronously: create due reminders and send every waiting message."

    def handle(self, *args, **options):
        created = notifications.reminders_create()
        pks = list(notifications.waiting().values_list("pk", flat=True))
        results = [notifications.deliver(pk, "send_due_reminders") for pk in pks]
        summary = ", ".join(f"{results.count(r)} {r}" for r in sorted(set(results))) or "none"
        self.stdout.write(f"{created} reminders created; messages: {summary}")
