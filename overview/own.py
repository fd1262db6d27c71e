"""The young person's own page (issue 19), after strong identification (cases/own.py signs
them in). It reads across the apps — their meetings and plan (meetings), their consents (cases),
who has processed their data (the access log) — so it lives at the top.

Only the signed-in young person's own records (`youth_ids` from the session), only what is meant
for them: never worker-only notes, never the identity code. Every page view and download is in the
access log with the basis "own data".
"""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases.models import YouthClient
from cases.own import own_required, own_session_end
from kelayhteistyo.access import access_log_own


@require_GET
@never_cache
@own_required
def own_page(request, youth_ids):
    """What the young person sees: their meetings, plan, consents."""
    youth = YouthClient.objects.filter(pk__in=youth_ids).order_by("-created_at").first()
    access_log_own(youth_ids=youth_ids, what="own_page")
    return render(request, "own/page.html", {"youth": youth, "signed_in": True})


@require_POST
def own_logout(request):
    own_session_end(request)
    return redirect("own:login")
