"""A Kela contact's free times (issue 18): slots they publish, which a worker books in one step.

A weekly rule is expanded into its slots when it is published (services.slots_publish), so a
slot is always a row: booking it is one conditional update of that row, which the database
serialises (two workers clicking the same slot: one wins)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _

from kelayhteistyo.models import KelaAbsence, choice_label

from .meeting import JOINING_CHOICES, JointMeeting, Modality

# How far ahead a worker sees a contact's free times when booking.
OFFERED_WEEKS = 6


class KelaSlotQuerySet(models.QuerySet):
    def free(self, now: datetime.datetime | None = None):
        """Not booked, and not started."""
        return self.filter(meeting__isnull=True, starts_at__gt=now or timezone.now())

    def offered(self, now: datetime.datetime | None = None):
        """What a worker may book: free, within the next weeks, of a contact who is in the
        directory and not away that day. Holidays never hold slots (services.slots_publish)."""
        now = now or timezone.now()
        away = KelaAbsence.objects.filter(
            profile__user=OuterRef("contact_id"),
            starts_on__lte=OuterRef("day"),
            ends_on__gte=OuterRef("day"),
        )
        return (
            self.free(now)
            .filter(
                starts_at__lt=now + datetime.timedelta(weeks=OFFERED_WEEKS),
                contact__is_active=True,
                contact__kela_profile__active=True,
            )
            .exclude(Exists(away))
            .order_by("starts_at")
        )


class KelaSlot(models.Model):
    """One free time of a Kela contact: when, how they meet (by video, or at the office named),
    and the meeting that took it."""

    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="free_slots",
        verbose_name=_("Kela contact person"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The day in Finnish time: absences (whole days) are compared with it in the database.
    day = models.DateField(_("date"), editable=False)
    modality = models.CharField(_("way of meeting"), max_length=20, choices=JOINING_CHOICES)
    place = models.CharField(_("place"), max_length=300, blank=True)
    meeting = models.OneToOneField(
        JointMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kela_slot",
        verbose_name=_("booked for"),
    )
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = KelaSlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("free time")
        verbose_name_plural = _("free times")
        indexes = [models.Index(fields=["contact", "starts_at"], name="slot_contact_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
            models.UniqueConstraint(fields=["contact", "starts_at"], name="slot_once_per_start"),
            models.CheckConstraint(
                condition=Q(meeting__isnull=True) | Q(booked_at__isnull=False),
                name="slot_booked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact}: {self.label}"

    def save(self, *args, **kwargs):
        self.day = timezone.localdate(self.starts_at)
        super().save(*args, **kwargs)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_booked(self) -> bool:
        return self.meeting_id is not None

    @property
    def day_label(self) -> str:
        """ "ti 8.12.2026": the weekday and the date, in the active language."""
        start = timezone.localtime(self.starts_at)
        return f"{date_format(start, 'D')} {date_format(start, 'SHORT_DATE_FORMAT')}"

    @property
    def time_label(self) -> str:
        """ "09:00–10:00"."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{time_format(start, 'TIME_FORMAT')}–{time_format(end, 'TIME_FORMAT')}"

    @property
    def label(self) -> str:
        """ "ti 8.12.2026 09:00–10:00": the day and the time, in the active language."""
        return f"{self.day_label} {self.time_label}"

    def way(self) -> str:
        """ "Video" or "Face to face, Kela office Seinäjoki"."""
        way = choice_label(Modality, self.modality)
        return f"{way}, {self.place}" if self.place else str(way)
