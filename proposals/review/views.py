"""Pages for reviewers (their assignments and reviews) and for administrators running the review."""

from html import escape

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import spreadsheets
from portal.errors import DomainError
from portal.files import file_response
from portal.permissions import requires
from portal.transitions import refuse
from portal.views import paginate, posted_object, sort_by
from proposals import calls, services
from proposals.forms import BiddingDeadlineForm, ReleaseForm, ReviewerInviteForm, ReviewerProfileForm, ReviewForm
from proposals.models import Call, Decision, Proposal, Review, ReviewAssignment, ReviewerProfile
from proposals.review import conflicts, matching, permissions, scoring
from proposals.review import selectors as review_selectors
from proposals.review import services as review_services

User = get_user_model()


# Reviewers ------------------------------------------------------------------------------------


# Sortable columns of the reviewers' and administrators' lists: `sort=key`, or `sort=-key` for descending.
REVIEW_LIST_SORTS = {
    "proposal": ("proposal__call__reference", "proposal_id"),
    "call": ("proposal__call__title",),
    "deadline": ("proposal__call__review_deadline",),
    "status": ("status",),
}
REVIEWER_SORTS = {"name": ("user__full_name",), "open": ("open_assignments",), "load": ("max_load_per_call",)}
ASSIGNMENT_SORTS = {
    "proposal": ("proposal_id",),
    "reviewer": ("reviewer__full_name",),
    "match": ("match",),
    "status": ("status",),
}


@requires(permissions.is_reviewer)
def review_list(request):
    assignments, sort = sort_by(request, review_selectors.reviewer_assignments(request.user), REVIEW_LIST_SORTS)
    return render(request, "proposals/review_list.html", {"page": paginate(request, assignments), "sort": sort})


@requires(permissions.is_reviewer)
@require_POST
def assignment_respond(request, pk):
    assignment = review_selectors.get_assignment_for(user=request.user, pk=pk)
    action = request.POST.get("action")
    if action not in ("accept", "decline", "conflict"):
        messages.error(request, _("Choose to accept, to decline or to declare a conflict."))
        return redirect("proposals:review_list")
    try:
        if action == "conflict":
            review_services.declare_conflict(
                assignment=assignment, reviewer=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Conflict recorded; the proposal is no longer assigned to you."))
            return redirect("proposals:review_list")
        review_services.respond_to_assignment(
            assignment=assignment, by=request.user, accept=action == "accept", reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Accepted.") if action == "accept" else _("Declined."))
    return redirect("proposals:review_list")


@requires(permissions.is_reviewer)
def assignment_decline(request, pk):
    """Declining, or declaring a conflict, is confirmed on a page that says what follows; a reason is asked."""
    conflict = request.POST.get("action", "conflict" if request.GET.get("conflict") else "decline") == "conflict"
    # The page shows the proposal: a declared conflict is confirmed by reading it, which a declined reviewer no
    # longer does.
    assignment = review_selectors.get_assignment_for(user=request.user, pk=pk, for_reading=conflict)
    if conflict:
        refusal = permissions.conflict_refusal(request.user, assignment.proposal)
    else:
        refusal = permissions.answer_refusal(request.user, assignment)
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect("proposals:review_list")
    reason = request.POST.get("reason", "")
    error = None
    if request.method == "POST":
        try:
            if conflict:
                review_services.declare_conflict(assignment=assignment, reviewer=request.user, reason=reason)
            else:
                review_services.respond_to_assignment(
                    assignment=assignment, by=request.user, accept=False, reason=reason
                )
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(
                request,
                _("Conflict recorded; the proposal is no longer assigned to you.") if conflict else _("Declined."),
            )
            return redirect("proposals:review_list")
    context = {
        "assignment": assignment,
        "proposal": assignment.proposal,
        "conflict": conflict,
        "reason": reason,
        "error": error,
        "blind": assignment.proposal.call.anonymity == Call.Anonymity.DUAL,
    }
    return render(request, "proposals/assignment_decline.html", context)


@requires(permissions.is_reviewer)
def review_edit(request, pk):
    assignment = review_selectors.get_assignment_for(user=request.user, pk=pk, for_reading=True)
    proposal = assignment.proposal
    call = proposal.call
    review = Review.objects.filter(assignment=assignment).first()
    profile = getattr(request.user, "reviewer_profile", None)
    technical = bool(profile and profile.is_technical)
    initial = {}
    if review:
        initial = {
            "strengths": review.strengths,
            "weaknesses": review.weaknesses,
            "confidential_comment": review.confidential_comment,
            "technical_assessment": review.technical_assessment,
            "technical_notes": review.technical_notes,
            **{f"score_{key}": value for key, value in review.scores.items()},
        }
    form = ReviewForm(request.POST or None, initial=initial, call=call, technical=technical)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            saved = review_services.save_review(
                assignment=assignment, by=request.user, data=form.service_data(), submit=submit
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            submitted = saved.status == Review.Status.SUBMITTED
            messages.success(request, _("Review submitted.") if submitted else _("Review saved as a draft."))
            return redirect("proposals:review_edit", pk=assignment.pk)
    context = {
        "assignment": assignment,
        "proposal": proposal,
        "form": form,
        "review": review,
        "can_answer": permissions.can_answer_assignment(request.user, assignment),
        "can_declare_conflict": permissions.can_declare_conflict(request.user, proposal),
        "can_write": permissions.can_write_review(request.user, assignment),
    }
    context.update(review_selectors.review_material(assignment))
    return render(request, "proposals/review_edit.html", context)


@requires(permissions.is_reviewer)
def review_attachment(request, pk, attachment_pk):
    attachment, blind = review_selectors.get_review_attachment(
        user=request.user, assignment_pk=pk, attachment_pk=attachment_pk
    )
    if not blind:
        file, name = attachment.file, attachment.original_name
    else:
        try:
            file = services.reviewer_copy(attachment=attachment)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("proposals:review_edit", pk=pk)
        name = f"{attachment.proposal.reference}-{attachment.kind}.pdf"
    return file_response(file, filename=name, content_type="application/pdf")


# Administrators -------------------------------------------------------------------------------


@requires(permissions.can_manage_review)
def reviewer_list(request):
    form = ReviewerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        profile = {
            key: data[key]
            for key in ("expertise_areas", "keywords", "affiliation", "external_affiliation", "country")
            + ("max_load_per_call", "is_technical")
        }
        try:
            review_services.invite_reviewer(
                email=data["email"],
                full_name=data["full_name"],
                by=request.user,
                profile=profile,
                language=data["language"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(email)s is now a reviewer and has been emailed.") % {"email": data["email"]})
            return redirect("proposals:reviewer_list")
    profiles, sort = sort_by(request, review_selectors.reviewers(), REVIEWER_SORTS)
    context = {"page": paginate(request, profiles), "form": form, "sort": sort}
    return render(request, "proposals/reviewer_list.html", context)


def _posted_pair(request, call):
    """The proposal of the call and the reviewer chosen on the review page's form."""
    proposal = posted_object(
        request, Proposal.objects.filter(call=call), "proposal", _("Choose a proposal of this call.")
    )
    reviewer = posted_object(request, User.objects.filter(is_reviewer=True), "reviewer", _("Choose a reviewer."))
    return proposal, reviewer


@requires(permissions.can_manage_review)
def call_review(request, pk):
    call = get_object_or_404(Call, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                calls.start_review(call=call, by=request.user)
                messages.success(request, _("The call is under review."))
            elif action == "assign":
                result = review_services.assign_reviewers(call=call, by=request.user)
                messages.success(
                    request,
                    _("%(count)s assignments made (total expertise match %(match)s).")
                    % {"count": len(result.pairs), "match": result.total_match},
                )
                for shortfall in result.shortfalls:
                    messages.warning(
                        request,
                        _("%(ref)s still lacks %(missing)s reviewer(s): %(eligible)s eligible reviewers in all.")
                        % {
                            "ref": shortfall.proposal.reference,
                            "missing": shortfall.missing,
                            "eligible": shortfall.eligible,
                        },
                    )
                for proposal, profile in result.unwilling:
                    messages.warning(
                        request,
                        _("%(ref)s: %(name)s bid not willing, but no one else could fill the slot.")
                        % {"ref": proposal.reference, "name": profile.user},
                    )
            elif action == "add":
                proposal, reviewer = _posted_pair(request, call)
                review_services.add_assignment(proposal=proposal, reviewer=reviewer, by=request.user)
                messages.success(request, _("Reviewer added."))
            elif action == "remove":
                assignment = posted_object(
                    request,
                    ReviewAssignment.objects.filter(proposal__call=call),
                    "assignment",
                    _("This assignment is not in this call."),
                )
                review_services.remove_assignment(assignment=assignment, by=request.user)
                messages.success(request, _("Assignment removed."))
            elif action in ("add_conflict", "lift_conflict", "confirm_conflict", "dismiss_conflict"):
                proposal, reviewer = _posted_pair(request, call)
                reason = request.POST.get("reason", "").strip()
                if action == "lift_conflict" and reason and not request.POST.get("confirmed"):
                    # Lifting lets the reviewer be assigned to the team's proposal: confirmed on its own page.
                    refuse(permissions.conflict_change_refusal(request.user, call))
                    context = {
                        "call": call,
                        "proposal": proposal,
                        "reviewer": reviewer,
                        "reason": reason,
                        "standing": conflicts.conflict_reason(proposal, reviewer),
                    }
                    return render(request, "proposals/lift_conflict_confirm.html", context)
                review_services.set_conflict(
                    proposal=proposal,
                    reviewer=reviewer,
                    by=request.user,
                    conflicted=action in ("add_conflict", "confirm_conflict"),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Conflict updated."))
                if action in ("confirm_conflict", "dismiss_conflict"):
                    return redirect("proposals:call_conflicts", pk=call.pk)
            else:
                raise DomainError(_("This action is not recognised; nothing was changed."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("proposals:call_review", pk=call.pk)
    assignments, sort = sort_by(request, review_selectors.call_assignments(call), ASSIGNMENT_SORTS)
    context = {
        "call": call,
        "progress": review_selectors.review_progress(call),
        "page": paginate(request, assignments),
        "sort": sort,
        "overdue": review_selectors.overdue_reviews(call),
        "formula": matching.formula(),
        "report": matching.last_report(call),
        "bidding_form": BiddingDeadlineForm(call=call),
        "can_start_review": permissions.can_start_review(request.user, call),
        "can_assign": permissions.can_assign_reviewers(request.user, call),
        "can_change_conflicts": permissions.can_change_conflicts(request.user, call),
        "can_set_bidding_deadline": permissions.can_set_bidding_deadline(request.user, call),
        # Thousands of options: written out once here rather than by a template loop.
        "proposal_options": _options(review_selectors.proposal_choices(call)),
        "reviewer_options": _options(review_selectors.reviewer_choices()),
    }
    return render(request, "proposals/call_review.html", context)


def _outcome_options():
    """The `<option>`s of a decision's outcome for each outcome it may have now (None: not decided yet), written
    once for a page of a hundred forms."""
    choices = [(value, escape(label)) for value, label in Decision.Outcome.choices]
    undecided = f'<option value="" selected>{escape(_("Not decided yet"))}</option>'
    return {
        current: mark_safe(  # noqa: S308 - the labels are escaped above
            (undecided if current is None else "")
            + "".join(
                f'<option value="{value}"{" selected" if value == current else ""}>{label}</option>'
                for value, label in choices
            )
        )
        for current in (None, *Decision.Outcome.values)
    }


def _items(lines):
    """`<li>`s for lines of text, each escaped as `_options` escapes its labels."""
    return mark_safe("".join(f"<li>{escape(line)}</li>" for line in lines))  # noqa: S308


def _options(choices):
    """`<option>`s for (id, label) pairs, each label escaped (the standard library's escape: thousands of them)."""
    return mark_safe("".join(f'<option value="{int(pk)}">{escape(label)}</option>' for pk, label in choices))  # noqa: S308


RANKING_COLUMNS = [
    gettext_lazy("Rank"),
    gettext_lazy("Reference"),
    gettext_lazy("Title"),
    gettext_lazy("Title in own language"),
    gettext_lazy("Lead organisation"),
    gettext_lazy("Country"),
    gettext_lazy("Reviews"),
    gettext_lazy("Weighted score"),
    gettext_lazy("Normalised score"),
    gettext_lazy("Spread"),
    gettext_lazy("Disagreement"),
    gettext_lazy("Decision"),
]


RANKING_PER_PAGE = 100


def _ranking_rows(rows):
    for row in rows:
        proposal = row["proposal"]
        yield [
            row["rank"],
            proposal.reference,
            proposal.title,
            proposal.title_native,
            proposal.organisation.name,
            proposal.organisation.country.code,
            row["reviews"],
            row["weighted"],
            row["normalised"],
            row["spread"],
            "yes" if row["disagreement"] else "",
            row["decision"].get_outcome_display() if row["decision"] else "",
        ]


@requires(permissions.can_manage_review)
def call_ranking(request, pk):
    call = get_object_or_404(Call, pk=pk)
    if request.method == "POST":
        try:
            proposal = posted_object(
                request, Proposal.objects.filter(call=call), "proposal", _("Choose a proposal of this call.")
            )
            review_services.decide(
                proposal=proposal,
                by=request.user,
                outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Decision recorded for %(ref)s.") % {"ref": proposal.reference})
            reviews = review_selectors.review_count(proposal)
            if reviews < call.reviewers_per_proposal:
                messages.warning(
                    request,
                    _("%(ref)s has %(reviews)s of the %(required)s submitted reviews the call requires.")
                    % {"ref": proposal.reference, "reviews": reviews, "required": call.reviewers_per_proposal},
                )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(request.get_full_path())
    sort = request.GET.get("sort", "weighted")
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        rows = review_selectors.sort_ranking(review_selectors.call_ranking(call), sort)
    if export == "csv":
        return spreadsheets.csv_response(f"{call.reference}-ranking.csv", RANKING_COLUMNS, _ranking_rows(rows))
    if export == "xlsx":
        return spreadsheets.xlsx_response(
            f"{call.reference}-ranking.xlsx", _("Ranking"), RANKING_COLUMNS, _ranking_rows(rows)
        )
    try:
        triage = int(request.GET.get("triage", ""))
    except ValueError:
        triage = None
    # The exports above carry every row; the page shows one slice, ranks and triage line counted over them all.
    page = paginate(request, review_selectors.ranked_rows(call, sort), per_page=RANKING_PER_PAGE)
    options = _outcome_options()
    for row in page.object_list:
        row["outcome_options"] = options[row["decision"].outcome if row["decision"] else None]
    context = {
        "call": call,
        "page": page,
        "rows": page.object_list,
        "sort": sort,
        "triage": triage,
        "manifest": scoring.manifest(call),
        "outcomes": Decision.Outcome.choices,
        "can_decide": permissions.can_record_decisions(request.user, call),
        "can_release": permissions.can_release_decisions(request.user, call),
    }
    return render(request, "proposals/call_ranking.html", context)


@requires(permissions.can_manage_review)
def release_confirm(request, pk):
    """Releasing decisions cannot be undone: the page says what each team receives and asks to confirm."""
    call = get_object_or_404(Call, pk=pk)
    if not permissions.can_release_decisions(request.user, call):
        messages.error(request, permissions.release_refusal(request.user, call).message)
        return redirect("proposals:call_ranking", pk=call.pk)
    form = ReleaseForm(request.POST if request.method == "POST" else None)
    reason = request.POST.get("override_reason", "").replace("\x00", "")
    if request.method == "POST" and not form.is_valid():
        messages.error(request, form.errors["override_reason"][0])
    elif request.method == "POST":
        try:
            calls.release_decisions(call=call, by=request.user, override_reason=form.cleaned_data["override_reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decisions released; every team has been emailed."))
            return redirect("proposals:call_ranking", pk=call.pk)
    summary = review_selectors.release_summary(call)
    context = {
        "call": call,
        "summary": summary,
        # Up to a whole call of lines: written out once here rather than by a template loop.
        "undecided_items": _items(f"{row['reference']} — {row['title']}" for row in summary["undecided"]),
        "override_reason": reason,
    }
    return render(request, "proposals/release_confirm.html", context)


@requires(permissions.is_reviewer)
def reviewer_profile(request):
    profile = get_object_or_404(ReviewerProfile, user=request.user)
    form = ReviewerProfileForm(request.POST or None, instance=ReviewerProfile.objects.get(pk=profile.pk))
    if request.method == "POST" and form.is_valid():
        review_services.update_reviewer_profile(profile=profile, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Your expertise profile is saved."))
        return redirect("proposals:reviewer_profile")
    return render(request, "proposals/reviewer_profile.html", {"form": form, "profile": profile})


@requires(permissions.can_manage_review)
def call_conflicts(request, pk):
    call = get_object_or_404(Call, pk=pk)
    matrix = review_selectors.conflict_matrix(call, request.GET.get("page"))
    context = {"call": call, "can_change_conflicts": permissions.can_change_conflicts(request.user, call), **matrix}
    return render(request, "proposals/call_conflicts.html", context)
