from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.views import paginate

from . import permissions, selectors, services


@login_required
def notification_list(request):
    page = paginate(request, selectors.notifications_for(user=request.user))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    return redirect("notifications:list")


@login_required
def outbox(request):
    # Like the other administrators' pages, it does not exist (404) for anyone else.
    if not permissions.can_browse_outbox(request.user):
        raise Http404
    page = paginate(request, selectors.undelivered_emails(), per_page=50)
    return render(request, "notifications/outbox.html", {"page": page, "max_attempts": services.MAX_ATTEMPTS})
