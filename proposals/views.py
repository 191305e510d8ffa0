from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import spreadsheets
from portal.errors import DomainError
from portal.files import file_response
from portal.permissions import requires
from portal.units import KILOGRAM, MEGABYTES, MILLIMETRE, WATT
from portal.views import paginate, sort_by
from proposals.review import selectors as review_selectors

from . import calls, permissions, resources, selectors, services
from .filters import CallFilter, SubmissionFilter
from .forms import (
    AttachmentForm,
    CallForm,
    ComplianceForm,
    CriteriaFormSet,
    PlatformFormSet,
    ProposalForm,
    ReasonForm,
    StartProposalForm,
    TeamFormSet,
    team_entries,
    team_initial,
)
from .models import Call, Proposal
from .versions import version_changes

STASH_KEY = "typed_before_sign_in"


def _apply_errors(form, error):
    """Put a service's refusal on the form: per field where it names one."""
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        form.add_error(
            getattr(error, "field", None) if getattr(error, "field", None) in form.fields else None,
            getattr(error, "message", None) or error.messages[0],
        )


# Calls (public) -------------------------------------------------------------------------------


def call_list(request):
    show = request.GET.get("show", "open")
    calls = (
        selectors.calls_visible_to(request.user)
        .annotate(proposal_count=Count("proposals", filter=Q(proposals__status=Proposal.Status.SUBMITTED)))
        .order_by("deadline", "pk")
    )
    calls = calls.filter(status=Call.Status.OPEN) if show == "open" else calls.exclude(status=Call.Status.OPEN)
    return render(request, "proposals/call_list.html", {"page": paginate(request, calls), "show": show})


def call_detail(request, pk):
    call = selectors.get_call_for(user=request.user, pk=pk)
    can_start = permissions.can_propose(request.user, call)
    context = {
        "call": call,
        "platforms": call.platforms.all(),
        "can_start": can_start,
        "can_manage": permissions.can_manage_calls(request.user),
        "start_form": StartProposalForm(),
        "stage": call.current_stage(),
    }
    return render(request, "proposals/call_detail.html", context)


# Proposals (partners) -----------------------------------------------------------------------


# The proposal list's sortable columns: the query parameter `sort` names one, "-" first for descending.
PROPOSAL_LIST_SORTS = {
    "title": ("title",),
    "call": ("call__title",),
    "stage": ("stage",),
    "status": ("status",),
    "deadline": ("call__deadline",),
}
# The administrators' lists of calls and of a call's submissions.
MANAGE_CALLS_SORTS = {
    "title": ("title",),
    "status": ("status",),
    "deadline": ("deadline",),
    "submitted": ("proposal_count",),
    "drafts": ("draft_count",),
}
SUBMISSION_SORTS = {
    "title": ("title",),
    "organisation": ("organisation__name",),
    "stage": ("stage",),
    "status": ("status",),
    "versions": ("version_count",),
}


@login_required
def proposal_list(request):
    proposals = selectors.proposals_visible_to(request.user)
    if permissions.sees_every_proposal(request.user) and request.GET.get("mine") != "0":
        proposals = proposals.filter(
            Q(organisation__memberships__user=request.user)
            | Q(principal_investigator=request.user)
            | Q(team__user=request.user)
        ).distinct()
    proposals, sort = sort_by(request, proposals, PROPOSAL_LIST_SORTS, tiebreak="-pk")
    # The list shows no team: the teams the selector reads for other screens are left unread.
    page = paginate(request, proposals.select_related("decision").prefetch_related(None))
    for proposal in page:
        # The team sees an outcome only once the call's decisions are released.
        decision = getattr(proposal, "decision", None)
        proposal.released_decision = decision if decision is not None and decision.released_at else None
    outcomes = any(proposal.released_decision for proposal in page)
    context = {"page": page, "now": timezone.now(), "outcomes": outcomes, "sort": sort}
    return render(request, "proposals/proposal_list.html", context)


@login_required
@require_POST
def proposal_start(request, pk):
    call = selectors.get_call_for(user=request.user, pk=pk)
    form = StartProposalForm(request.POST)
    if form.is_valid():
        try:
            proposal = services.create_proposal(call=call, by=request.user, data={"title": form.cleaned_data["title"]})
        except (DomainError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
        else:
            messages.success(request, _("Draft created. Save it as often as you like before submitting."))
            return redirect("proposals:proposal_edit", pk=proposal.pk)
    else:
        messages.error(request, _("Give the proposal a working title."))
    return redirect("proposals:call_detail", pk=call.pk)


@login_required
def proposal_detail(request, pk):
    proposal = selectors.get_proposal_for(user=request.user, pk=pk)
    context = {
        "proposal": proposal,
        "can_edit": permissions.can_edit_proposal(request.user, proposal),
        "can_change": permissions.can_change_proposal(request.user, proposal),
        "can_submit": permissions.can_submit_proposal(request.user, proposal),
        "can_withdraw": permissions.can_withdraw_proposal(request.user, proposal),
        "deadline_open": permissions.edit_refusal(request.user, proposal) is None,
        "versions": selectors.proposal_versions(proposal=proposal),
        "attachments": selectors.proposal_attachments(proposal=proposal),
        "problems": resources.kept_resource_problems(proposal),
        "can_check_compliance": permissions.can_record_compliance(request.user, proposal),
        "compliance_form": ComplianceForm(),
        "reason_form": ReasonForm(),
        "outcome": review_selectors.released_outcome(proposal),
    }
    return render(request, "proposals/proposal_detail.html", context)


def _stash_typed(request):
    """A post from an expired session: keep what was typed until the person signs in again."""
    stash = request.session.get(STASH_KEY, {})
    stash[request.path] = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    request.session[STASH_KEY] = stash
    return redirect_to_login(request.get_full_path())


def _restore_typed(request):
    stash = request.session.get(STASH_KEY, {})
    typed = stash.pop(request.path, None)
    if typed is None:
        return None
    request.session[STASH_KEY] = stash
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, values in typed.items():
        data.setlist(key, values)
    return data


def proposal_edit(request, pk):
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _stash_typed(request)
        return redirect_to_login(request.get_full_path())
    proposal = selectors.get_proposal_for(user=request.user, pk=pk, for_change=True)
    data = request.POST if request.method == "POST" else _restore_typed(request)
    if data is not None and request.method != "POST":
        messages.warning(request, _("Your session had expired. Here is what you typed; save it again."))
    submitted_version = None
    if proposal.status == Proposal.Status.SUBMITTED:
        # The editor shows the changes saved beside the submitted version, never touching that version.
        services.apply_pending_changes(proposal)
        submitted_version = selectors.proposal_versions(proposal=proposal).first()
    saved_team = services.pending_team(proposal)
    form = ProposalForm(
        data,
        instance=proposal,
        call=proposal.call,
        organisation=proposal.organisation,
        initial={"areas": proposal.areas},
    )
    initial_team = saved_team if saved_team is not None else team_initial(proposal)
    team = TeamFormSet(data, prefix="team", initial=None if data is not None else initial_team)
    if request.method == "POST" and form.is_valid() & team.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data}
        try:
            services.update_proposal(proposal=proposal, by=request.user, data=fields, team=team_entries(team))
        except (DomainError, ValidationError) as error:
            _apply_errors(form, error)
        else:
            if submitted_version is not None:
                messages.success(
                    request,
                    _("Changes saved. Version %(number)s still counts until you submit again.")
                    % {"number": submitted_version.number},
                )
            else:
                messages.success(request, _("Draft saved."))
            if "continue" in request.POST:
                return redirect("proposals:proposal_submit", pk=proposal.pk)
            return redirect("proposals:proposal_edit", pk=proposal.pk)
    problems = services.resource_problems(proposal)
    _mark_limit_problems(form, problems)
    context = {
        "proposal": proposal,
        "form": form,
        "team": team,
        "attachments": selectors.proposal_attachments(proposal=proposal),
        "attachment_form": AttachmentForm(),
        "problems": problems,
        # After a refused post the form stays, with what was typed and the refusal on it.
        "editable": permissions.can_change_proposal(request.user, proposal) or request.method == "POST",
        "can_change_files": permissions.can_change_files(request.user, proposal),
        "submitted_version": submitted_version,
    }
    return render(request, "proposals/proposal_edit.html", context)


def _mark_limit_problems(form, problems):
    """A field over its platform's limit is marked invalid and described by the sentence beside it
    (`<id>_limit`), besides its help text and errors."""
    for name in problems:
        if name not in form.fields:
            continue
        field = form[name]
        described = [f"{field.auto_id}_helptext"] if field.help_text else []
        described += [f"{field.auto_id}_error"] if field.errors else []
        described.append(f"{field.auto_id}_limit")
        form.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(described)})


@login_required
def proposal_submit(request, pk):
    proposal = selectors.get_proposal_for(user=request.user, pk=pk, for_change=True)
    error = None
    if request.method == "POST":
        try:
            version = services.submit_proposal(proposal=proposal, by=request.user)
        except ValidationError as problem:
            error = problem
        except DomainError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("Submitted as version %(number)s. A receipt has been emailed to the team.")
                % {"number": version.number},
            )
            return redirect("proposals:proposal_detail", pk=proposal.pk)
        proposal = selectors.get_proposal_for(user=request.user, pk=pk)
    if proposal.has_pending_changes:
        services.apply_pending_changes(proposal)
    problems = (
        error.message_dict
        if error is not None
        else {field: [message] for field, message in services.submission_problems(proposal).items()}
    )
    context = {
        "proposal": proposal,
        "problems": problems,
        "resources": _resource_rows(proposal),
        "can_submit": permissions.can_submit_proposal(request.user, proposal),
    }
    return render(request, "proposals/proposal_submit.html", context)


def _resource_rows(proposal):
    platform = proposal.platform
    if platform is None:
        return []
    problems = services.resource_problems(proposal)
    rows = [
        (_("Mass"), proposal.mass_kg, platform.max_mass_kg, KILOGRAM, "mass_kg"),
        (_("Average power"), proposal.average_power_w, platform.max_average_power_w, WATT, "average_power_w"),
        (_("Peak power"), proposal.peak_power_w, platform.max_peak_power_w, WATT, "peak_power_w"),
        (_("Length"), proposal.length_mm, platform.max_length_mm, MILLIMETRE, "length_mm"),
        (_("Width"), proposal.width_mm, platform.max_width_mm, MILLIMETRE, "width_mm"),
        (_("Height"), proposal.height_mm, platform.max_height_mm, MILLIMETRE, "height_mm"),
        (
            _("Data volume per day"),
            proposal.data_mb_per_day,
            platform.total_data_mb_per_day,
            MEGABYTES,
            "data_mb_per_day",
        ),
        (
            _("Lowest operating temperature"),
            proposal.min_operating_temp_c,
            platform.min_operating_temp_c,
            "°C",
            "min_operating_temp_c",
        ),
        (
            _("Highest operating temperature"),
            proposal.max_operating_temp_c,
            platform.max_operating_temp_c,
            "°C",
            "max_operating_temp_c",
        ),
    ]
    return [
        {"label": label, "value": value, "limit": limit, "unit": unit, "problem": problems.get(field)}
        for label, value, limit, unit, field in rows
    ]


@login_required
def proposal_withdraw(request, pk):
    """Withdrawing is confirmed on its own page, which says what will happen; the post carries it out."""
    proposal = selectors.get_proposal_for(user=request.user, pk=pk, for_change=True)
    refusal = permissions.withdraw_refusal(request.user, proposal)
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect("proposals:proposal_detail", pk=proposal.pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_proposal(proposal=proposal, by=request.user, reason=form.cleaned_data.get("reason", ""))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The proposal was withdrawn. You can edit it and submit again before the deadline.")
            )
        return redirect("proposals:proposal_detail", pk=proposal.pk)
    context = {"proposal": proposal, "form": form, "versions": selectors.proposal_versions(proposal=proposal)}
    return render(request, "proposals/proposal_withdraw.html", context)


@login_required
def proposal_versions(request, pk):
    proposal = selectors.get_proposal_for(user=request.user, pk=pk)
    versions = list(selectors.proposal_versions(proposal=proposal))
    by_number = {version.number: version for version in versions}
    newer = by_number.get(_int(request.GET.get("b"))) or (versions[0] if versions else None)
    older = by_number.get(_int(request.GET.get("a"))) or (
        by_number.get(newer.number - 1) if newer is not None else None
    )
    context = {
        "proposal": proposal,
        "versions": versions,
        "older": older,
        "newer": newer,
        "changes": version_changes(older, newer) if older and newer else [],
    }
    return render(request, "proposals/proposal_versions.html", context)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def attachment_upload(request, pk):
    proposal = selectors.get_proposal_for(user=request.user, pk=pk, for_change=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                proposal=proposal, by=request.user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("File attached."))
            if warning := services.attachment_warning(attachment):
                messages.warning(request, warning)
    else:
        messages.error(request, _("Choose a PDF file to attach."))
    return redirect(reverse("proposals:proposal_edit", args=[proposal.pk]) + "#attachments")


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = selectors.get_attachment_for(user=request.user, pk=pk, for_change=True)
    try:
        services.remove_attachment(attachment=attachment, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("File removed."))
    return redirect(reverse("proposals:proposal_edit", args=[attachment.proposal_id]) + "#attachments")


@login_required
def attachment_download(request, pk):
    attachment = selectors.get_attachment_for(user=request.user, pk=pk)
    return file_response(attachment.file, filename=attachment.original_name, content_type="application/pdf")


@login_required
def team_invitation(request, token):
    """The invited person accepts a place on a proposal's team, signed in with the address it was sent to."""
    member = selectors.team_invitation_for(token)
    if member is None:
        return render(request, "partners/link_invalid.html", status=400)
    proposal = member.proposal
    error = ""
    if request.method == "POST":
        try:
            services.accept_team_invitation(member=member, by=request.user)
        except DomainError as error_:
            error = error_.message
        else:
            messages.success(request, _("You are on the team of %(title)s.") % {"title": proposal.title})
            return redirect("proposals:proposal_detail", pk=proposal.pk)
    elif not member.is_invited:
        error = _("This invitation has already been used.")
    elif request.user.email.lower() != member.email.lower():
        error = _("This invitation was sent to another address; sign in with that address to accept it.")
    # Someone signed in with another address learns nothing of the proposal from the link.
    context = {"proposal": proposal if not error else None, "member": member, "error": error}
    return render(request, "proposals/team_invitation.html", context)


# Administrators -------------------------------------------------------------------------------


@requires(permissions.can_manage_calls)
def manage_calls(request):
    calls = (
        Call.objects.select_related("mission")
        .annotate(
            proposal_count=Count("proposals", filter=Q(proposals__status=Proposal.Status.SUBMITTED)),
            draft_count=Count("proposals", filter=Q(proposals__status=Proposal.Status.DRAFT)),
        )
        .order_by("-deadline")
    )
    filterset = CallFilter(request.GET, queryset=calls)
    calls, sort = sort_by(request, filterset.qs, MANAGE_CALLS_SORTS)
    context = {"filter": filterset, "page": paginate(request, calls), "sort": sort}
    return render(request, "proposals/manage_calls.html", context)


def _call_editor(request, call):
    is_new = call.pk is None
    platforms_editable = is_new or call.status == Call.Status.DRAFT
    data = request.POST if request.method == "POST" else None
    form = CallForm(data, instance=call, initial={"eligible_kinds": call.eligible_kinds} if not is_new else None)
    criteria = CriteriaFormSet(
        data,
        prefix="criteria",
        initial=[
            {
                "name": c["name"],
                "name_zh_hans": c.get("name_zh_hans", ""),
                "name_ru": c.get("name_ru", ""),
                "weight": c["weight"],
            }
            for c in call.criteria
        ],
    )
    platforms = PlatformFormSet(data, instance=call if not is_new else Call(), prefix="platforms")
    if request.method == "POST":
        valid = form.is_valid() & criteria.is_valid() & (platforms.is_valid() if platforms_editable else True)
        if valid:
            fields = {name: form.cleaned_data[name] for name in form.cleaned_data}
            fields["criteria"] = criteria.criteria()
            offered = None
            if platforms_editable:
                offered = [
                    {name: value for name, value in platform_form.cleaned_data.items() if name in calls.PLATFORM_FIELDS}
                    for platform_form in platforms.forms
                    if platform_form.cleaned_data and not platform_form.cleaned_data.get("DELETE")
                ]
            try:
                if is_new:
                    call = calls.create_call(data=fields, platforms=offered or [], by=request.user)
                else:
                    call = calls.update_call(call=call, data=fields, platforms=offered, by=request.user)
            except (DomainError, ValidationError) as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Call saved."))
                return redirect("proposals:call_edit", pk=call.pk)
        messages.error(request, _("Some fields need attention; nothing you typed was lost."))
    context = {
        "call": call,
        "form": form,
        "criteria": criteria,
        "platforms": platforms,
        "platforms_editable": platforms_editable,
        "can_open": not is_new and permissions.can_open_call(request.user, call),
        "can_close": not is_new and permissions.can_close_call(request.user, call),
        "open_problems": calls.validate_call(call, list(call.platforms.all())) if not is_new else {},
    }
    return render(request, "proposals/call_edit.html", context)


@requires(permissions.can_manage_calls)
def call_create(request):
    return _call_editor(request, Call())


@requires(permissions.can_manage_calls)
def call_edit(request, pk):
    return _call_editor(request, get_object_or_404(Call, pk=pk))


@requires(permissions.can_manage_calls)
@require_POST
def call_transition(request, pk, action):
    call = get_object_or_404(Call, pk=pk)
    service = {"open": calls.open_call, "close": calls.close_call}.get(action)
    if service is None:
        raise Http404
    try:
        service(call=call, by=request.user)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The call is now %(status)s.") % {"status": Call.objects.get(pk=pk).get_status_display()}
        )
    return redirect("proposals:call_edit", pk=pk)


SUBMISSION_COLUMNS = [
    ("reference", _("Reference")),
    ("title", _("Title")),
    ("title_native", _("Title in own language")),
    ("organisation", _("Lead organisation")),
    ("country", _("Country")),
    ("kind", _("Kind")),
    ("principal_investigator", _("Principal investigator")),
    ("stage", _("Stage")),
    ("status", _("Status")),
    ("versions", _("Versions")),
    ("team_size", _("Co-investigators")),
    ("platform", _("Platform")),
    ("mass_kg", _("Mass (kg)")),
    ("average_power_w", _("Average power (W)")),
    ("peak_power_w", _("Peak power (W)")),
    ("data_mb_per_day", _("Data (MB/day)")),
    ("trl_now", _("TRL now")),
    ("compliance", _("Compliance")),
    ("submitted_at", _("Submitted at (UTC)")),
]


def submission_row(proposal):
    return [
        proposal.reference,
        proposal.title,
        proposal.title_native,
        proposal.organisation.name,
        proposal.organisation.country.code,
        proposal.organisation.get_kind_display(),
        str(proposal.principal_investigator),
        proposal.get_stage_display(),
        proposal.get_status_display(),
        proposal.version_count,
        proposal.team_size,
        proposal.platform.name if proposal.platform else "",
        proposal.mass_kg,
        proposal.average_power_w,
        proposal.peak_power_w,
        proposal.data_mb_per_day,
        proposal.trl_now,
        proposal.get_compliance_display(),
        proposal.submitted_at,
    ]


@requires(permissions.can_manage_calls)
def call_submissions(request, pk):
    call = get_object_or_404(Call.objects.select_related("mission"), pk=pk)
    filterset = SubmissionFilter(request.GET, queryset=selectors.call_submissions(call=call))
    proposals, sort = sort_by(request, filterset.qs, SUBMISSION_SORTS)
    if request.GET.get("format") == "csv":
        return spreadsheets.csv_response(
            f"{call.reference}-submissions.csv",
            [label for _key, label in SUBMISSION_COLUMNS],
            (submission_row(proposal) for proposal in proposals.iterator(chunk_size=500)),
        )
    context = {
        "call": call,
        "filter": filterset,
        "page": paginate(request, proposals),
        "sort": sort,
        "compliance_form": ComplianceForm(),
    }
    return render(request, "proposals/call_submissions.html", context)


def _back_to(request, default):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@requires(permissions.can_manage_calls)
@require_POST
def proposal_shortlist(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    shortlisted = request.POST.get("decision") == "shortlist"
    try:
        services.shortlist_letter(
            proposal=proposal, by=request.user, shortlisted=shortlisted, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Shortlisted.") if shortlisted else _("Not shortlisted."))
    return _back_to(request, reverse("proposals:call_submissions", args=[proposal.call_id]))


@requires(permissions.can_manage_calls)
@require_POST
def proposal_compliance(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    form = ComplianceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose eligible or not eligible."))
    else:
        try:
            services.record_compliance(
                proposal=proposal,
                by=request.user,
                eligible=form.cleaned_data["eligible"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Compliance recorded for %(reference)s.") % {"reference": proposal.reference})
    return _back_to(request, reverse("proposals:call_submissions", args=[proposal.call_id]))
