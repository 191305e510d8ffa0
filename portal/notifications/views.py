from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.permissions import requires
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


@requires(permissions.can_browse_outbox)
def outbox(request):
    page = paginate(request, selectors.undelivered_emails(), per_page=50)
    return render(request, "notifications/outbox.html", {"page": page, "max_attempts": services.MAX_ATTEMPTS})
