"""Make (or keep) the quick start's test identity provider's keys and metadata (make run)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.devidp import TestIdentityProvider


class Command(BaseCommand):
    help = "Prepare the local test identity provider (DEBUG and SAML_TEST_IDP only)."

    def handle(self, *args, **options):
        if not (settings.DEBUG and settings.SAML_TEST_IDP):
            raise CommandError("Only for the quick start: set DEBUG=1 and SAML_TEST_IDP=1.")
        TestIdentityProvider(
            Path(settings.SAML_TEST_IDP_FOLDER),
            sso_url=f"{settings.SITE_URL}/testi-tunnistus/sso/",
            keep=True,
        )
        self.stdout.write(
            f"Young people's own page: {settings.SITE_URL}/oma/ "
            "(test identification with the demo young people)"
        )
