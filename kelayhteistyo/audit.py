"""Change history of the records (django-auditlog). The identity code never enters it."""

# What django-auditlog writes for "no value": every field's "before" when a record is created,
# every field's "after" when it is deleted.
NOTHING = "None"


def mask_fully(value: str) -> str:
    """Whether the identity code was set or changed shows; no part of it does. A record just
    created shows that there was nothing before, like its other fields, not a masked code."""
    if value == NOTHING:
        return NOTHING
    return "********" if value else ""
