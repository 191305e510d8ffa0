from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from portal.accounts.auth import sign_in_backend
from portal.errors import DomainError
from portal.permissions import requires
from portal.views import paginate, rate_limit, sort_by

from . import permissions, selectors, services, tokens
from .filters import DirectoryFilter, OrganisationFilter, RegistrationFilter
from .forms import AcceptInvitationForm, InvitationForm, ReasonForm, RegistrationEditForm, RegistrationForm
from .models import Invitation, Registration

User = get_user_model()


# Sortable columns of the lists below: the query parameter `sort` names one, "-" first for descending.
DIRECTORY_SORTS = {"name": ("name",), "kind": ("kind",), "joined": ("joined_on",)}
ORGANISATION_SORTS = {**DIRECTORY_SORTS, "members": ("member_count",), "status": ("status",)}
REGISTRATION_SORTS = {
    "name": ("name",),
    "kind": ("kind",),
    "contact": ("contact_name",),
    "status": ("status",),
    # Waiting longest last: the shortest wait is the smallest.
    "waiting": ("-queued_at",),
}


# Public ---------------------------------------------------------------------------------------


def directory(request):
    filterset = DirectoryFilter(request.GET, queryset=selectors.public_directory())
    organisations, sort = sort_by(request, filterset.qs, DIRECTORY_SORTS)
    context = {"filter": filterset, "page": paginate(request, organisations), "sort": sort}
    return render(request, "partners/directory.html", context)


@ratelimit(key="ip", rate=rate_limit("RATELIMIT_REGISTRATION"), method="POST", block=True)
def join(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        registration = services.submit_registration(data=form.cleaned_data, language=get_language())
        request.session["registration_email"] = registration.contact_email
        return redirect("partners:join_done")
    return render(request, "partners/join.html", {"form": form})


def join_done(request):
    return render(request, "partners/join_done.html", {"email": request.session.get("registration_email")})


def verify_email(request, token):
    try:
        registration = Registration.objects.get(pk=tokens.registration_id_from_verification(token))
    except (tokens.InvalidLink, Registration.DoesNotExist):
        return render(request, "partners/link_invalid.html", status=400)
    if registration.email_verified_at is not None:
        # Opened a second time: the address is confirmed already, which is good news, not an error.
        return render(request, "partners/verify_email.html", {"registration": registration, "already": True})
    if request.method != "POST":
        # A mail scanner following the link must not verify it; the person confirms with a button.
        return render(request, "partners/verify_email.html", {"registration": registration})
    try:
        services.verify_registration_email(registration=registration)
    except DomainError as error:
        return render(request, "partners/verify_email.html", {"registration": registration, "error": error.message})
    return render(request, "partners/verify_email_done.html", {"registration": registration})


def registration_edit(request, token):
    try:
        registration = tokens.registration_from_edit(token, Registration.objects.all())
    except tokens.InvalidLink:
        return render(request, "partners/link_invalid.html", status=400)
    if registration.status != Registration.Status.CHANGES_REQUESTED:
        return render(request, "partners/registration_edit_closed.html", {"registration": registration}, status=400)
    form = RegistrationEditForm(request.POST or None, instance=registration)
    if request.method == "POST" and form.is_valid():
        services.resubmit_registration(registration=registration, data=form.cleaned_data)
        return render(request, "partners/registration_edit_done.html", {"registration": registration})
    return render(request, "partners/registration_edit.html", {"form": form, "registration": registration})


# Partner organisation -------------------------------------------------------------------------


@login_required
def my_organisation(request):
    membership = request.user.partner_membership
    if membership is None:
        return render(request, "partners/no_organisation.html")
    return _organisation_page(request, membership.organisation, template="partners/my_organisation.html")


def _organisation_page(request, organisation, *, template, extra=None):
    can_manage = permissions.can_manage_members(request.user, organisation)
    context = {
        "organisation": organisation,
        "members": selectors.organisation_members(organisation=organisation),
        "invitations": selectors.pending_invitations(organisation=organisation) if can_manage else [],
        "can_manage": can_manage,
        "invite_form": InvitationForm(),
        **(extra or {}),
    }
    return render(request, template, context)


def _run(request, action, success_message):
    """Run a service from a form post; a refusal becomes a message on the page."""
    try:
        result = action()
    except DomainError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success_message)
    return result


def _back(request, organisation):
    if permissions.is_member_of(request.user, organisation):
        return redirect("partners:my_organisation")
    return redirect("partners:organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def invite(request, pk):
    organisation = selectors.get_organisation_for(user=request.user, pk=pk, for_management=True)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _organisation_page(
            request, organisation, template="partners/my_organisation.html", extra={"invite_form": form}
        )
    email = form.cleaned_data["email"]
    try:
        services.invite_member(organisation=organisation, email=email, by=request.user)
    except DomainError as error:
        form.add_error("email", error.message)
        return _organisation_page(
            request, organisation, template="partners/my_organisation.html", extra={"invite_form": form}
        )
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
    return _back(request, organisation)


@login_required
def revoke_invitation(request, pk):
    """Withdrawing an invitation is confirmed on its own page first; the post carries it out."""
    invitation = selectors.get_invitation_for(user=request.user, pk=pk)
    if request.method != "POST":
        if invitation.status != Invitation.Status.PENDING:
            messages.info(request, _("This invitation is no longer open."))
            return _back(request, invitation.organisation)
        return render(request, "partners/revoke_confirm.html", {"invitation": invitation})
    _run(
        request,
        lambda: services.revoke_invitation(invitation=invitation, by=request.user),
        _("Invitation to %(email)s withdrawn.") % {"email": invitation.email},
    )
    return _back(request, invitation.organisation)


@login_required
@require_POST
def remove_member(request, pk):
    membership = selectors.get_membership_for(user=request.user, pk=pk)
    _run(
        request,
        lambda: services.remove_member(membership=membership, by=request.user),
        _("%(name)s was removed from the organisation.") % {"name": membership.user},
    )
    return _back(request, membership.organisation)


@login_required
@require_POST
def transfer_admin(request, pk):
    membership = selectors.get_membership_for(user=request.user, pk=pk)
    organisation = membership.organisation
    _run(
        request,
        lambda: services.transfer_partner_admin(organisation=organisation, to_membership=membership, by=request.user),
        _("%(name)s is now the partner admin.") % {"name": membership.user},
    )
    return _back(request, organisation)


def invitation_accept(request, token):
    try:
        invitation = Invitation.objects.select_related("organisation", "invited_by").get(
            pk=tokens.invitation_id_from_token(token)
        )
    except (tokens.InvalidLink, Invitation.DoesNotExist):
        return render(request, "partners/link_invalid.html", status=400)
    context = {"invitation": invitation, "organisation": invitation.organisation}
    if invitation.status != Invitation.Status.PENDING:
        return render(request, "partners/invitation_closed.html", context, status=400)
    signed_in = request.user.is_authenticated
    form = None if signed_in else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            if signed_in:
                services.accept_invitation(invitation=invitation, user=request.user)
            else:
                services.accept_invitation(
                    invitation=invitation,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                    language=get_language(),
                )
        except DomainError as error:
            context["error"] = error.message
        else:
            messages.success(
                request, _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation.name}
            )
            if not signed_in:
                # The new account was just made with the password typed here: the person is signed in at once.
                login(request, User.objects.get(email__iexact=invitation.email), backend=sign_in_backend())
            return redirect("partners:my_organisation")
    context["form"] = form
    return render(request, "partners/invitation_accept.html", context)


# Programme administrators ---------------------------------------------------------------------


@requires(permissions.can_decide_registrations)
def registration_queue(request):
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = Registration.Status.PENDING_REVIEW
    filterset = RegistrationFilter(params, queryset=selectors.registration_queue())
    registrations, sort = sort_by(request, filterset.qs, REGISTRATION_SORTS)
    page = paginate(request, registrations)
    page.object_list = selectors.attach_duplicate_flags(page.object_list)
    return render(request, "partners/registration_queue.html", {"filter": filterset, "page": page, "sort": sort})


@requires(permissions.can_decide_registrations)
def registration_detail(request, pk):
    registration = selectors.get_registration_for(user=request.user, pk=pk)
    reason_form = ReasonForm()
    if request.method == "POST":
        action = request.POST.get("action")
        reason_form = ReasonForm(request.POST)
        handlers = {
            "approve": (
                lambda: services.approve_registration(registration=registration, by=request.user),
                _("Approved: %(name)s is now a partner, and its contact has been emailed."),
            ),
            "reject": (
                lambda: services.reject_registration(
                    registration=registration, by=request.user, reason=request.POST.get("reason", "")
                ),
                _("Application rejected; the contact has been emailed the reason."),
            ),
            "request_changes": (
                lambda: services.request_registration_changes(
                    registration=registration, by=request.user, reason=request.POST.get("reason", "")
                ),
                _("Changes requested; the contact has been emailed a link to edit the application."),
            ),
        }
        if action in handlers:
            action_fn, message = handlers[action]
            if _run(request, action_fn, message % {"name": registration.name}) is not None:
                return redirect("partners:registration_detail", pk=registration.pk)
    [registration] = selectors.attach_duplicate_flags([registration])
    return render(
        request,
        "partners/registration_detail.html",
        {
            "registration": registration,
            "reason_form": reason_form,
            "can_approve": permissions.can_approve_registration(request.user, registration),
            "can_reject": permissions.can_reject_registration(request.user, registration),
            "can_request_changes": permissions.can_request_registration_changes(request.user, registration),
            "timeline": selectors.registration_timeline(registration=registration),
        },
    )


@requires(permissions.can_manage_organisations)
def organisation_list(request):
    filterset = OrganisationFilter(request.GET, queryset=selectors.organisations_for_admin())
    organisations, sort = sort_by(request, filterset.qs, ORGANISATION_SORTS)
    context = {"filter": filterset, "page": paginate(request, organisations), "sort": sort}
    return render(request, "partners/organisation_list.html", context)


@requires(permissions.can_manage_organisations)
def organisation_detail(request, pk):
    organisation = selectors.get_organisation_for(user=request.user, pk=pk)
    reason_form = ReasonForm()
    if request.method == "POST":
        reason_form = ReasonForm(request.POST)
        action = request.POST.get("action")
        service = {"suspend": services.suspend_organisation, "reinstate": services.reinstate_organisation}.get(action)
        reason = request.POST.get("reason", "").strip()
        suspending = action == "suspend" and permissions.can_suspend_organisation(request.user, organisation)
        if suspending and reason and not request.POST.get("confirmed"):
            # Suspending is confirmed on a page that says what it does; the reason rides along in the form.
            context = {"organisation": organisation, "reason": reason, **selectors.suspension_effects(organisation)}
            return render(request, "partners/suspend_confirm.html", context)
        if service is not None:
            done = _run(
                request,
                lambda: service(organisation=organisation, by=request.user, reason=request.POST.get("reason", "")),
                _("Suspended.") if action == "suspend" else _("Reinstated."),
            )
            if done is not None:
                return redirect("partners:organisation_detail", pk=organisation.pk)
    return _organisation_page(
        request,
        organisation,
        template="partners/organisation_detail.html",
        extra={
            "reason_form": reason_form,
            "can_suspend": permissions.can_suspend_organisation(request.user, organisation),
            "can_reinstate": permissions.can_reinstate_organisation(request.user, organisation),
            "timeline": paginate(request, selectors.organisation_timeline(organisation=organisation), per_page=50),
        },
    )
