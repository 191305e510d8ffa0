from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.views import paginate

from . import selectors, services


@login_required
def notification_list(request):
    page = paginate(request, selectors.notifications_for(user=request.user))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    return redirect("notifications:list")
