"""The one page an outside owner of an action item reaches by the signed link sent to them: no
account, their own item only (the young person's first name, the wording and the due date)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kelayhteistyo.forms import add_errors
from kelayhteistyo.models import AccessLog

from . import services
from .forms import OwnerProposalForm
from .models import ItemLink, LinkRefused, link_of_token
from .models.item_link import follow_up_user

# A link that is not ours or was changed: 400. One that was ours and no longer works (expired,
# revoked, the item reassigned, the consent or the cooperation ended): 410.
STATUS = {"invalid": 400, "other_item": 400, "expired": 410, "revoked": 410, "ended": 410}


@never_cache
@require_http_methods(["GET", "POST"])
def item_link(request, item_pk, token):
    """Mark the item done, or say why not and propose a new date. Every use is logged."""
    try:
        link = link_of_token(token)
    except LinkRefused as refused:
        if refused.link is not None:
            services.link_use_log(link=refused.link, action=AccessLog.Action.DENIED)
        return _problem(request, refused.reason, refused.link)
    if link.item_id != item_pk:  # a token of another item: the owner's own item only
        services.link_use_log(link=link, action=AccessLog.Action.DENIED)
        return _problem(request, "other_item", None)
    refusal = link.refusal()
    if refusal in STATUS:
        services.link_use_log(link=link, action=AccessLog.Action.DENIED)
        return _problem(request, refusal, link)
    form = OwnerProposalForm(request.POST if "reason" in request.POST else None)
    if request.method == "POST" and not refusal:
        try:
            if request.POST.get("action") == "done":
                services.item_owner_mark_done(link=link)
                messages.success(request, _("Thank you. The action item is marked done."))
                return redirect(request.path)
            if form.is_valid():
                services.item_owner_propose(
                    link=link,
                    reason=form.cleaned_data["reason"],
                    new_date=form.cleaned_data["new_date"],
                )
                messages.success(request, _("Thank you. Your message was passed on."))
                return redirect(request.path)
        except ValidationError as e:
            code = getattr(e, "code", None)
            if code in STATUS:  # the link stopped working meanwhile
                return _problem(request, code, link)
            if code in ("done", "cancelled"):  # closed meanwhile: the page says so
                return redirect(request.path)
            add_errors(form, e)
    services.link_use_log(link=link, action=AccessLog.Action.READ)
    return render(
        request,
        "meetings/item_link.html",
        {
            "link": link,
            "item": link.item,
            "first_name": link.item.plan.meeting.youth.first_name,
            "closed": refusal,  # "done" or "cancelled": the page says so, no form
            "form": form,
            "contact": follow_up_user(link.item),
            "proposals": link.changes.filter(field="note").order_by("-changed_at")[:3],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _problem(request, reason: str, link: ItemLink | None):
    """A clear page: the link does not work, why (as far as it can be told) and whom to ask."""
    return render(
        request,
        "meetings/item_link_problem.html",
        {"reason": reason, "contact": follow_up_user(link.item) if link else None},
        status=STATUS[reason],
    )
