"""The models of joint meetings, by topic: the meeting and its participants (`meeting.py`), the
follow-up plan with its items, reviews and exports (`plan.py`), notification rows
(`notification.py`), a Kela contact's free times (`slot.py`)."""

from .item_link import ItemLink, ItemLinkQuerySet, LinkRefused, link_of_token
from .meeting import (
    JOINING_CHOICES,
    OWN_PEOPLE_ROLES,
    JointMeeting,
    MeetingQuerySet,
    Modality,
    NetworkRole,
    Participant,
    ParticipantQuerySet,
    Topic,
)
from .notification import Notification, NotificationQuerySet
from .plan import (
    ActionItem,
    ActionItemChange,
    ActionItemQuerySet,
    FollowUpPlan,
    PlanExport,
    PlanExportQuerySet,
    Review,
    _export_path,  # named by migration 0003
)
from .slot import OFFERED_WEEKS, KelaSlot, KelaSlotQuerySet

__all__ = [
    "JOINING_CHOICES",
    "OFFERED_WEEKS",
    "KelaSlot",
    "KelaSlotQuerySet",
    "OWN_PEOPLE_ROLES",
    "ActionItem",
    "ActionItemChange",
    "ActionItemQuerySet",
    "FollowUpPlan",
    "ItemLink",
    "ItemLinkQuerySet",
    "JointMeeting",
    "LinkRefused",
    "MeetingQuerySet",
    "Modality",
    "NetworkRole",
    "Notification",
    "NotificationQuerySet",
    "Participant",
    "ParticipantQuerySet",
    "PlanExport",
    "PlanExportQuerySet",
    "Review",
    "Topic",
    "_export_path",
    "link_of_token",
]
