"""Scheduled housekeeping (the beat schedule is in kelayhteistyo/celery.py)."""

from celery import shared_task


@shared_task(acks_late=True)
def purge_stale_data() -> dict:
    """Personal data that has lost its purpose: meeting drafts never sent."""
    from meetings.services import drafts_purge

    return {"drafts": drafts_purge()}
