"""Operations on the Kela contact directory: a contact's own profile and absences, the
coordinators' upkeep of the directory, and where an invitation goes during an absence."""

import datetime
from typing import NamedTuple

from django.db import transaction

from .models import KelaAbsence, KelaContactProfile, Organisation, User

# A substitute who is away too passes the invitation on to their own substitute, this many
# steps at most (and never round in a circle): beyond that it stays with the last one reached.
SUBSTITUTE_STEPS = 3


class Route(NamedTuple):
    """Who gets an invitation meant for `chosen`, and the absence that decided it (None when
    `chosen` is not away). `recipient == chosen` with an absence: away, no substitute."""

    chosen: User
    recipient: User
    absence: KelaAbsence | None

    @property
    def rerouted(self) -> bool:
        return self.recipient.pk != self.chosen.pk


def kela_contact_route(contact: User, *days: datetime.date) -> Route:
    """Where an invitation to `contact` goes: to them, or, while they are away on any of `days`
    (today and the meeting's day), to the substitute named for the absence."""
    profile = getattr(contact, "kela_profile", None)
    absence = profile.absence_on(*days) if profile is not None else None
    recipient, seen = contact, {contact.pk}
    step = absence
    for _step in range(SUBSTITUTE_STEPS):
        if step is None or step.substitute is None or step.substitute_id in seen:
            break
        if not KelaContactProfile.objects.active().filter(user=step.substitute_id).exists():
            break  # a substitute who has left the directory since takes nothing
        recipient = step.substitute
        seen.add(recipient.pk)
        step = recipient.kela_profile.absence_on(*days)
    return Route(contact, recipient, absence)


@transaction.atomic
def kela_profile_save(*, profile: KelaContactProfile, areas, languages) -> KelaContactProfile:
    """Save a Kela contact's directory entry (by themselves or by a coordinator)."""
    profile.full_clean()
    profile.save()
    profile.areas.set(areas)
    profile.languages.set(languages)
    return profile


@transaction.atomic
def kela_absence_create(*, absence: KelaAbsence) -> KelaAbsence:
    """Record an absence (the checks are KelaAbsence.clean: dates, substitute, overlap)."""
    absence.full_clean()
    absence.save()
    return absence


def kela_organisations():
    return Organisation.objects.filter(kind=Organisation.Kind.KELA).order_by("name")


@transaction.atomic
def kela_contact_add(
    *, user: User, profile: KelaContactProfile, areas, languages, by: User
) -> KelaContactProfile:
    """A coordinator adds a Kela contact: the user (role Kela contact, a Kela organisation,
    no usable password until an administrator or a password reset gives one) and the entry."""
    user.role = User.Role.KELA_CONTACT
    user.set_unusable_password()
    user.full_clean()
    user.save()
    profile.user = user
    return kela_profile_save(profile=profile, areas=areas, languages=languages)


@transaction.atomic
def kela_contact_set_active(*, profile: KelaContactProfile, active: bool, by: User) -> None:
    """Take a contact out of the directory or back in. The account stays (their own items and
    answers remain reachable); new invitations and substitutions cannot name them."""
    profile.active = active
    profile.save(update_fields=["active"])  # save(), not update(): the change history sees it
