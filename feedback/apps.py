from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        from . import defaults, notifications

        post_migrate.connect(defaults.install, sender=self)
        # Meetings sends the feedback requests; what they say and link to is declared here.
        notifications.register_kinds()
