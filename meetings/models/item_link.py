"""Signed links for outside owners of action items: a network member or a named outside service
with an e-mail address, who has no account, marks their own item done or says why not."""

import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Consent

from .meeting import JointMeeting, Participant
from .plan import ActionItem

SALT = "meetings.item-link"

# The consent scope under which an outside owner is contacted and sees their item: the one for
# messages to the network named in the plan (issue 17; not the sharing of the plan with Kela).
# README, "Outside owners update their items by signed link".
LINK_SCOPE = Consent.Scope.NETWORK


def owner_address(item: ActionItem) -> tuple[str, str, Participant | None, str] | None:
    """The item's outside owner who can get a link: (address, name, the network member or
    None, the outside service or ""), or None (a user, the young person, no address)."""
    if item.outside_service:
        if not item.outside_service_email:
            return None
        return item.outside_service_email, item.outside_service, None, item.outside_service
    owner = item.owner
    if owner.kind == Participant.Kind.OTHER and owner.email and owner.is_taking_part:
        return owner.email, owner.display_name, owner, ""
    return None


def owner_language(item: ActionItem) -> str:
    """The language of the owner's messages: the meeting's, if the service speaks it."""
    code = item.plan.meeting.language.code
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def item_closed_for_owner(item: ActionItem) -> str:
    """Why an outside owner can no longer act on the item, or "": "ended" (no valid consent
    covers it, the cooperation ended, the young person's organisation changed), "done",
    "cancelled"."""
    meeting = item.plan.meeting
    if (
        meeting.status not in JointMeeting.AWAITING_REVIEW
        or meeting.organisation_id != meeting.youth.organisation_id
        or not Consent.objects.covering(LINK_SCOPE).filter(youth=meeting.youth_id).exists()
    ):
        return "ended"
    if item.status == ActionItem.Status.DONE:
        return "done"
    if item.status == ActionItem.Status.CANCELLED:
        return "cancelled"
    return ""


def follow_up_user(item: ActionItem):
    """The worker who follows the outside owner's item: the outside service's follow-up worker,
    else the young person's responsible worker."""
    if item.outside_service and item.owner.user_id:
        return item.owner.user
    return item.plan.meeting.youth.responsible_worker


def _secret() -> str:
    return secrets.token_urlsafe(12)


class ItemLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ItemLink(models.Model):
    """One item's link for one recipient. The token sent is signed with SECRET_KEY and carries
    this row's id, its secret and when it was made (it expires `ITEM_LINK_DAYS` after the
    e-mail that carried it); revoking the row ends every token made from it."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="links")
    email = models.EmailField(_("e-mail address"))
    # Who the link was made for, as they are named in the item's history and the access log.
    name = models.CharField(_("name"), max_length=200)
    # The network member who owns the item, or empty for a named outside service.
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    outside_service = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=32, default=_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ItemLinkQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("link of an outside owner")
        verbose_name_plural = _("links of outside owners")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "email"],
                condition=Q(revoked_at__isnull=True),
                name="item_link_once_per_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.item_id}"

    def token(self) -> str:
        """A fresh signed token (its time starts now)."""
        return signing.TimestampSigner(salt=SALT).sign(f"{self.pk}.{self.secret}")

    def path(self) -> str:
        return reverse("meetings:item_link", args=[self.item_id, self.token()])

    def url(self) -> str:
        return settings.SITE_URL + self.path()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def still_owner(self) -> bool:
        """The recipient still owns the item at this address (not reassigned since)."""
        item = self.item
        if self.participant_id:
            return (
                not item.outside_service
                and item.owner_id == self.participant_id
                and item.owner.email == self.email
                and item.owner.is_taking_part
            )
        return (
            item.outside_service == self.outside_service
            and item.outside_service_email == self.email
        )

    def refusal(self) -> str:
        """Why the link does not work now, or "": "revoked" (also: reassigned since), then as
        item_closed_for_owner."""
        if self.is_revoked or not self.still_owner():
            return "revoked"
        return item_closed_for_owner(self.item)

    def revoke(self) -> None:
        """End every token of this link (the caller saves)."""
        self.revoked_at = self.revoked_at or timezone.now()


def item_link_get(item: ActionItem) -> ItemLink | None:
    """The active link of the item's outside owner, made if there is none yet; None when the
    item has no outside owner with an address."""
    address = owner_address(item)
    if address is None:
        return None
    email, name, participant, service = address
    link = ItemLink.objects.active().filter(item=item, email=email).first()
    if link is not None and link.still_owner():
        return link
    if link is not None:  # an owner of the same address before: their link ends
        link.revoke()
        link.save(update_fields=["revoked_at"])
    return ItemLink.objects.create(
        item=item, email=email, name=name, participant=participant, outside_service=service
    )


class LinkRefused(Exception):
    """A token that is not ours, or was changed (`reason` "invalid"), or is too old
    ("expired"; `link` is then the link it was made from, to say whom to contact)."""

    def __init__(self, reason: str, link: "ItemLink | None" = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def link_of_token(token: str) -> ItemLink:
    """The link a token was made from; LinkRefused if tampered with or expired."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign(token)
    except signing.BadSignature:
        raise LinkRefused("invalid") from None
    link = _link_of_value(value)
    try:
        signer.unsign(token, max_age=settings.ITEM_LINK_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise LinkRefused("expired", link) from None
    return link


def _link_of_value(value: str) -> ItemLink:
    pk, _sep, secret = value.partition(".")
    link = (
        ItemLink.objects.select_related("item__plan__meeting__youth", "item__owner", "participant")
        .filter(pk=int(pk) if pk.isdigit() else 0)
        .first()
    )
    if link is None or not secrets.compare_digest(link.secret, secret):
        raise LinkRefused("invalid")
    return link
