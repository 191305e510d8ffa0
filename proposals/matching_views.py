"""Pages for matching: a reviewer's own writing, bidding on a call's proposals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import DomainError

from . import publications
from .models import ReviewerProfile, ReviewerPublication
from .review_views import _posted, _reviewer_only


@login_required
@require_POST
def reviewer_publications(request):
    """Add pasted abstracts or an uploaded BibTeX / RIS / CSV file to one's own profile, or remove one entry."""
    _reviewer_only(request.user)
    profile = get_object_or_404(ReviewerProfile, user=request.user)
    action = request.POST.get("action")
    try:
        if action == "paste":
            entries = publications.parse_pasted(request.POST.get("abstracts", ""))
            created = publications.add_publications(profile=profile, by=request.user, entries=entries, source="pasted")
        elif action == "upload":
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(_("Choose a file to upload."), field="file")
            source, entries = publications.parse_upload(upload)
            created = publications.add_publications(profile=profile, by=request.user, entries=entries, source=source)
        elif action == "remove":
            publication = _posted(
                request,
                ReviewerPublication.objects.filter(profile=profile),
                "publication",
                _("This publication is not on your profile."),
            )
            publications.remove_publication(publication=publication, by=request.user)
            messages.success(request, _("Publication removed."))
            return redirect("proposals:reviewer_profile")
        else:
            raise DomainError(_("This action is not recognised; nothing was changed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)s publications added to your profile.") % {"count": len(created)})
    return redirect("proposals:reviewer_profile")
