"""Pages for matching: a reviewer's own writing, bidding on a call's proposals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from partners.choices import Area, labels
from portal import spreadsheets
from portal.errors import DomainError
from portal.permissions import requires
from portal.views import posted_object
from proposals.forms import BiddingDeadlineForm
from proposals.models import Bid, Call, ReviewerProfile, ReviewerPublication
from proposals.review import bids, permissions, publications
from proposals.review import selectors as review_selectors


@requires(permissions.is_reviewer)
@require_POST
def reviewer_publications(request):
    """Add pasted abstracts or an uploaded BibTeX / RIS / CSV file to one's own profile, or remove one entry."""
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
            publication = posted_object(
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


@requires(permissions.is_reviewer)
@require_GET
def bidding_calls(request):
    """The calls a reviewer can bid on now."""
    return render(request, "proposals/bidding_calls.html", {"calls": bids.calls_open_for_bidding()})


@requires(permissions.is_reviewer)
def call_bids(request, pk):
    """A reviewer's bids on one call's proposals, most affine first; one form, no script needed."""
    call = bids.get_call_for_bidding(user=request.user, pk=pk)
    if request.method == "POST":
        posted = {}
        for key, value in request.POST.items():
            if key.startswith("bid-"):
                try:
                    posted[int(key.removeprefix("bid-"))] = value
                except ValueError:
                    continue
        try:
            changed = bids.place_bids(call=call, by=request.user, bids=posted)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your bids are saved (%(count)s changed).") % {"count": changed})
        return redirect("proposals:call_bids", pk=call.pk)
    proposals = bids.biddable_proposals(call, request.user)
    return render(
        request,
        "proposals/call_bids.html",
        {
            "call": call,
            "proposals": proposals,
            "choices": [("", _("No bid")), *Bid.Value.choices],
            "show_team": call.anonymity == Call.Anonymity.SINGLE,
        },
    )


@requires(permissions.can_manage_review)
@require_POST
def call_bidding_deadline(request, pk):
    """An administrator sets (or clears) the deadline for bids on a call."""
    call = get_object_or_404(Call, pk=pk)
    form = BiddingDeadlineForm(request.POST, call=call)
    if form.is_valid():
        try:
            bids.set_bidding_deadline(call=call, by=request.user, deadline=form.cleaned_data["bidding_deadline"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The bidding deadline is saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("proposals:call_review", pk=call.pk)


ASSIGNMENT_COLUMNS = [
    gettext_lazy("Reference"),
    gettext_lazy("Title"),
    gettext_lazy("Reviewer"),
    gettext_lazy("Email"),
    gettext_lazy("Status"),
    gettext_lazy("Match"),
    gettext_lazy("Affinity"),
    gettext_lazy("Affinity rank for the proposal"),
    gettext_lazy("Bid"),
    gettext_lazy("Shared areas"),
    gettext_lazy("Top shared terms"),
]


@requires(permissions.can_manage_review)
@require_GET
def call_assignments_export(request, pk):
    """The call's assignments with the reasons each was chosen, as a CSV file."""
    call = get_object_or_404(Call, pk=pk)
    rows = (_assignment_row(assignment) for assignment in review_selectors.call_assignments(call).iterator())
    return spreadsheets.csv_response(f"{call.reference}-assignments.csv", ASSIGNMENT_COLUMNS, rows)


def _assignment_row(assignment):
    reasons = assignment.reasons or {}
    return [
        assignment.proposal.reference,
        assignment.proposal.title,
        assignment.reviewer.full_name,
        assignment.reviewer.email,
        assignment.get_status_display(),
        assignment.match,
        reasons.get("affinity"),
        reasons.get("rank"),
        Bid.Value(reasons["bid"]).label if reasons.get("bid") else "",
        "; ".join(str(label) for label in labels(Area, reasons.get("areas", []))),
        "; ".join(reasons.get("terms", [])),
    ]
