"""Coordinators keep the Kela contact directory in the app (issue 18): add a contact, change
their areas, languages and ways of meeting, take them out of the directory and back.

Any coordinator may (the directory is national and holds no young person's data); the
account itself — password, two-factor, removal — stays with the administrators in /admin/."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import coordinator_required
from .forms import KelaContactAddForm, KelaProfileForm
from .models import KelaAbsence, KelaContactProfile
from .services import kela_contact_add, kela_contact_set_active, kela_profile_save


@require_GET
@coordinator_required
def directory_manage(request):
    """Every Kela contact of the directory, also those taken out of it."""
    profiles = (
        KelaContactProfile.objects.select_related("user", "user__organisation")
        .prefetch_related(
            "areas",
            "languages",
            Prefetch(
                "absences",
                queryset=KelaAbsence.objects.not_over().select_related("substitute"),
                to_attr="open_absences",
            ),
        )
        .order_by("-active", "user__last_name", "user__first_name")
    )
    return render(request, "directory_manage.html", {"profiles": profiles})


@require_http_methods(["GET", "POST"])
@coordinator_required
def directory_contact_add(request):
    """Add a Kela contact person: a user with the role and a Kela organisation, and the entry."""
    data = request.POST if request.method == "POST" else None
    form = KelaContactAddForm(data)
    entry = KelaProfileForm(data, about=False, prefix="entry")
    if data is not None and form.is_valid() and entry.is_valid():
        profile = kela_contact_add(
            user=form.save(commit=False),
            profile=entry.save(commit=False),
            areas=entry.cleaned_data["areas"],
            languages=entry.cleaned_data["languages"],
            by=request.user,
        )
        messages.success(
            request,
            _(
                "%(name)s was added to the directory. An administrator gives them their "
                "first password."
            )
            % {"name": profile.user.get_full_name()},
        )
        return redirect("directory_manage")
    status = 400 if data is not None else 200
    return render(
        request, "directory_contact_form.html", {"form": form, "entry": entry}, status=status
    )


@require_http_methods(["GET", "POST"])
@coordinator_required
def directory_contact_edit(request, pk):
    """Change a contact's areas, languages and ways of meeting ("about me" is their own)."""
    profile = get_object_or_404(KelaContactProfile.objects.select_related("user"), pk=pk)
    data = request.POST if request.method == "POST" else None
    entry = KelaProfileForm(data, instance=profile, about=False, prefix="entry")
    if data is not None and entry.is_valid():
        kela_profile_save(
            profile=entry.save(commit=False),
            areas=entry.cleaned_data["areas"],
            languages=entry.cleaned_data["languages"],
        )
        messages.success(request, _("The changes were saved."))
        return redirect("directory_manage")
    status = 400 if data is not None else 200
    context = {"entry": entry, "profile": profile}
    return render(request, "directory_contact_form.html", context, status=status)


@require_POST
@coordinator_required
def directory_contact_active(request, pk):
    """Take a contact out of the directory (workers no longer find or invite them) or back."""
    profile = get_object_or_404(KelaContactProfile.objects.select_related("user"), pk=pk)
    active = request.POST.get("active") == "1"
    kela_contact_set_active(profile=profile, active=active, by=request.user)
    name = profile.user.get_full_name()
    if active:
        messages.success(request, _("%(name)s is in the directory again.") % {"name": name})
    else:
        messages.success(
            request,
            _(
                "%(name)s was taken out of the directory. Invitations they have not answered "
                "still wait for them: tell the organisers if needed."
            )
            % {"name": name},
        )
    return redirect("directory_manage")
