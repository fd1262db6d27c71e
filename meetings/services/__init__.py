"""Operations that change several objects or have side effects, by topic: the meeting
(`meeting.py`), the follow-up plan (`plan.py`) and a Kela contact's absence (`absence.py`).
Callers use `meetings.services.<name>`."""

from .absence import invitations_pass_on, kela_absence_record
from .meeting import (
    DRAFT_RETENTION,
    drafts_purge,
    invitation_respond,
    meeting_cancel,
    meeting_create,
    meeting_invite,
    meeting_mark_held,
    meeting_record_afterwards,
    meeting_update,
    meetings_cancel_on_withdrawal,
    participants_set_joining,
    proposal_accept,
    taking_part_deny,
    valid_kela_consent,
    withdrawal_cancels,
    withdrawal_ends_kela_access,
)
from .own import own_item_done, own_item_help, own_items, own_withdrawal_request
from .plan import (
    StaleActionItemError,
    StalePlanError,
    action_item_add,
    action_item_cancel,
    action_item_edit,
    action_item_note,
    action_item_set_done,
    plan_save,
    review_record,
)

__all__ = [
    "DRAFT_RETENTION",
    "StaleActionItemError",
    "StalePlanError",
    "action_item_add",
    "action_item_cancel",
    "action_item_edit",
    "action_item_note",
    "action_item_set_done",
    "drafts_purge",
    "invitation_respond",
    "invitations_pass_on",
    "kela_absence_record",
    "meeting_cancel",
    "meeting_create",
    "meeting_invite",
    "meeting_mark_held",
    "meeting_record_afterwards",
    "meeting_update",
    "meetings_cancel_on_withdrawal",
    "own_item_done",
    "own_item_help",
    "own_items",
    "own_withdrawal_request",
    "participants_set_joining",
    "plan_save",
    "proposal_accept",
    "review_record",
    "taking_part_deny",
    "valid_kela_consent",
    "withdrawal_cancels",
    "withdrawal_ends_kela_access",
]
