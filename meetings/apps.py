from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
    verbose_name = _("Joint meetings")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import ActionItem, FollowUpPlan, JointMeeting, Participant, Review

        for model in (JointMeeting, Participant, FollowUpPlan, ActionItem, Review):
            auditlog.register(model)  # change history
