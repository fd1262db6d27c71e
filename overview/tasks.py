"""Scheduled work that spans the apps (the beat schedule is in kelayhteistyo/celery.py)."""

from celery import shared_task

from cases.services import cooperation_requests_expire, light_links_forget
from feedback.services import hidden_texts_purge, links_forget_expired
from meetings.services import drafts_purge

from .rollups import rollups_rebuild, rollups_refresh
from .snapshots import snapshots_refresh


@shared_task(acks_late=True)
def purge_stale_data() -> dict:
    """Personal data that has lost its purpose: meeting drafts never sent; whom an expired
    feedback link was for; free-text feedback hidden for containing personal data; the
    personal fields of cooperation requests from Kela that expired or were answered a while
    ago (cases.services.cooperation_requests_expire); the address a light-door link of the
    young person's own page went to, once it can no longer be used (light_links_forget)."""
    return {
        "cooperation_requests": cooperation_requests_expire(),
        "drafts": drafts_purge(),
        "feedback_links": links_forget_expired(),
        "hidden_feedback_texts": hidden_texts_purge(),
        "light_links": light_links_forget(),
    }


@shared_task(acks_late=True)
def refresh_dashboards() -> int:
    """The dashboard's default views, computed ahead (overview.snapshots)."""
    return snapshots_refresh()


@shared_task(acks_late=True)
def refresh_rollups() -> int:
    """The dashboard's per-month summary rows: the months touched since the last run
    (overview.rollups; every minute, so the figures are at most about a minute behind)."""
    return rollups_refresh()


@shared_task(acks_late=True)
def rebuild_rollups() -> int:
    """Every month's summary rows again, nightly: what timestamps cannot tell."""
    return rollups_rebuild()
