"""Change history of the records (django-auditlog). The identity code never enters it."""

from auditlog.registry import auditlog


def mask_fully(value: str) -> str:
    """Whether the identity code was set or changed shows; no part of it does."""
    return "********" if value else ""


def register_models():
    from cases.models import Consent, YouthClient
    from meetings.models import ActionItem, FollowUpPlan, JointMeeting, Participant, Review

    auditlog.register(
        YouthClient,
        mask_fields=["identity_code"],
        mask_callable="kelayhteistyo.audit.mask_fully",
    )
    for model in (Consent, JointMeeting, Participant, FollowUpPlan, ActionItem, Review):
        auditlog.register(model)
