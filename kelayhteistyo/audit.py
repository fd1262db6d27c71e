"""Change history of the records (django-auditlog). The identity code never enters it."""


def mask_fully(value: str) -> str:
    """Whether the identity code was set or changed shows; no part of it does."""
    return "********" if value else ""
