from django.core.management.base import BaseCommand

from meetings import notifications
from meetings.models import Notification


class Command(BaseCommand):
    help = "Run one sweep synchronously: create due reminders and send every waiting message."

    def handle(self, *args, **options):
        created = notifications.reminders_create()
        results = [
            notifications.deliver(pk, "send_due_reminders")
            for pk in notifications._waiting(notifications.timezone.now()).values_list(
                "pk", flat=True
            )
        ]
        self.stdout.write(
            f"{created} reminders created; "
            + ", ".join(f"{results.count(r)} {r}" for r in sorted(set(results)))
            + f" ({Notification.objects.filter(status='failed').count()} failed in all)"
        )
