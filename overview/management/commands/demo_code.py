from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from .seed_demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo coordinator and admin (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("DEBUG is off: demo codes exist only in the demo.")
        self.stdout.write(f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}")
