"""Every change to calls and proposals: one transition function per change, audited, emailing via the outbox."""

import hashlib
import json
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.services import record_event
from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from portal.middleware import absolute_url
from portal.notifications.services import notify, queue_email
from portal.transitions import lock, refuse
from proposals.review.permissions import is_reviewer
from proposals.review.services import propose_conflict

from . import documents, permissions, selectors
from .models import Attachment, Call, DeadlineReminder, Proposal, ProposalVersion, TeamMember
from .notices import email_team
from .resources import check as check_resources
from .resources import figure, resource_problems

User = get_user_model()

REMINDER_DAYS = (7, 1)
PROPOSAL_FIELDS = [
    "title",
    "title_native",
    "abstract",
    "cooperation_level",
    "cooperation_mode",
    "areas",
    "platform",
    "mass_kg",
    "average_power_w",
    "peak_power_w",
    "length_mm",
    "width_mm",
    "height_mm",
    "data_mb_per_day",
    "min_operating_temp_c",
    "max_operating_temp_c",
    "trl_now",
    "trl_delivery",
    "science_objectives",
    "heritage",
    "schedule",
]
REQUIRED_FOR_LETTER = ["title", "abstract", "platform", "cooperation_level", "cooperation_mode", "areas"]
REQUIRED_FOR_FULL = [
    *REQUIRED_FOR_LETTER,
    "mass_kg",
    "average_power_w",
    "peak_power_w",
    "length_mm",
    "width_mm",
    "height_mm",
    "data_mb_per_day",
    "min_operating_temp_c",
    "max_operating_temp_c",
    "trl_now",
    "trl_delivery",
    "science_objectives",
    "schedule",
]


# Proposals: drafting ------------------------------------------------------------------------


def _check_platform(proposal, platform):
    if platform is not None and platform.call_id != proposal.call_id:
        raise ValidationError({"platform": _("Choose one of the platforms this call offers.")})


def _principal_investigator(organisation, user):
    if user is None:
        return None
    if getattr(user.partner_membership, "organisation_id", None) != organisation.pk:
        raise ValidationError(
            {"principal_investigator": _("The principal investigator must belong to the lead organisation.")}
        )
    return user


@transaction.atomic
def create_proposal(*, call, by, data, team=None):
    """Start a draft proposal for the person's organisation; they become its principal investigator."""
    call = lock(Call, call.pk)
    refuse(permissions.start_refusal(by, call))
    organisation = by.partner_membership.organisation
    stage = call.current_stage()
    proposal = Proposal(call=call, organisation=organisation, created_by=by, stage=stage)
    proposal.principal_investigator = _principal_investigator(organisation, data.get("principal_investigator") or by)
    for field in PROPOSAL_FIELDS:
        if field in data:
            setattr(proposal, field, data[field])
    _check_platform(proposal, proposal.platform)
    proposal.full_clean(exclude=["call", "organisation", "created_by", "principal_investigator"])
    proposal.save()
    if team is not None:
        _replace_team(proposal, team, by)
    record_event(actor=by, action="proposal.created", obj=proposal, organisation=organisation, to_state=proposal.status)
    return proposal


def _is_colleague(user, proposal):
    """A member of the proposal's lead organisation: the editors' own colleagues, whom they may name directly."""
    membership = user.partner_membership
    return membership is not None and membership.organisation_id == proposal.organisation_id


def _replace_team(proposal, team, by):
    """Set the co-investigators. Colleagues of the lead organisation are linked with their organisation, and those
    who already accepted stay; anyone else given by email is invited, and until they accept, their entry holds only
    the address typed, whether or not it belongs to an account. People given without an email are kept by name."""
    now = timezone.now()
    current = {
        member.email.lower(): member
        for member in proposal.team.all()
        if member.email and (member.user_id is not None or member.is_invited)
    }
    kept, members, invited, seen = set(), [], [], {proposal.principal_investigator.email.lower()}
    for entry in team:
        email = (entry.get("email") or "").strip()
        role = entry.get("role") or "Co-investigator"
        if not email:
            members.append(
                TeamMember(
                    proposal=proposal,
                    full_name=entry["full_name"],
                    organisation_name=entry["organisation_name"],
                    country=entry.get("country", ""),
                    role=role,
                )
            )
            continue
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        existing = current.get(email.lower())
        if existing is not None:
            kept.add(existing.pk)
            if existing.role != role:
                existing.role = role
                existing.save(update_fields=["role"])
            continue
        user = User.objects.filter(email__iexact=email).select_related("membership__organisation").first()
        if user is not None and _is_colleague(user, proposal):
            organisation = user.organisation
            members.append(
                TeamMember(
                    proposal=proposal,
                    user=user,
                    organisation=organisation,
                    full_name=user.full_name or user.email,
                    email=user.email,
                    organisation_name=organisation.name,
                    country=organisation.country,
                    role=role,
                )
            )
        else:
            member = TeamMember(
                proposal=proposal, email=email, role=role, status=TeamMember.Status.INVITED, invited_at=now
            )
            members.append(member)
            invited.append((member, user))
    proposal.team.exclude(pk__in=kept).delete()
    TeamMember.objects.bulk_create(members)
    for member, user in invited:
        _invite_to_team(proposal, member, user, by)


def team_invitation_token(member):
    return signing.dumps({"m": member.pk}, salt=selectors.TEAM_INVITATION_SALT)


def team_invitation_link(member):
    return settings.SITE_URL + reverse("proposals:team_invitation", args=[team_invitation_token(member)])


def _invite_to_team(proposal, member, user, by):
    """Email the invitation, the same whether the address has an account or not; a reviewer named this way is
    recorded as a conflict for an administrator to confirm, which by itself keeps them from nothing."""
    queue_email(
        to=member.email,
        recipient=user,
        template="team_invitation",
        language=None if user is not None else by.language,
        context={"proposal": proposal, "inviter": by, "link": team_invitation_link(member)},
    )
    record_event(
        actor=by,
        action="proposal.team_invited",
        obj=proposal,
        organisation=proposal.organisation,
        data={"email": member.email},
    )
    if user is not None and is_reviewer(user):
        propose_conflict(proposal=proposal, reviewer=user, by=by)


@transaction.atomic
def accept_team_invitation(*, member, by):
    """The invited person, signed in with the address the invitation went to, joins the team as a co-investigator
    for the organisation they belong to now."""
    member = TeamMember.objects.select_for_update().select_related("proposal").get(pk=member.pk)
    proposal = member.proposal
    if not member.is_invited:
        raise TransitionNotAllowed(_("This invitation has already been used."))
    if not (by.is_authenticated and by.email.lower() == member.email.lower()):
        raise NotAllowed(_("This invitation was sent to another address; sign in with that address to accept it."))
    if proposal.principal_investigator_id == by.pk or proposal.team.filter(user=by).exists():
        raise TransitionNotAllowed(_("You are already on this team."))
    organisation = by.organisation
    member.user = by
    member.organisation = organisation
    member.full_name = by.full_name or by.email
    member.email = by.email
    member.organisation_name = organisation.name if organisation else ""
    member.country = organisation.country if organisation else ""
    member.status = TeamMember.Status.MEMBER
    member.save()
    record_event(
        actor=by,
        action="proposal.team_joined",
        obj=proposal,
        organisation=proposal.organisation,
        from_state=TeamMember.Status.INVITED,
        to_state=TeamMember.Status.MEMBER,
        data={"email": by.email},
    )
    notify(
        user=proposal.principal_investigator,
        message=gettext_lazy("%(name)s accepted the invitation to the team of %(title)s."),
        params={"name": member.full_name, "title": proposal.title},
        link=absolute_url(reverse("proposals:proposal_detail", args=[proposal.pk])),
    )
    return member


@transaction.atomic
def update_proposal(*, proposal, by, data, team=None):
    """Save a draft: any subset of its fields, at any time before the deadline."""
    proposal = lock(Proposal, proposal.pk)
    refuse(permissions.edit_refusal(by, proposal))
    beside_submitted = proposal.status == Proposal.Status.SUBMITTED
    if beside_submitted:
        apply_pending_changes(proposal)
    for field in PROPOSAL_FIELDS:
        if field in data:
            setattr(proposal, field, data[field])
    if "principal_investigator" in data and data["principal_investigator"] is not None:
        proposal.principal_investigator = _principal_investigator(proposal.organisation, data["principal_investigator"])
    _check_platform(proposal, proposal.platform)
    proposal.full_clean(exclude=["call", "organisation", "created_by", "principal_investigator"])
    if beside_submitted:
        # The submitted version keeps counting: the changes wait beside it until the team submits again.
        changes = dict(proposal.pending_changes or {})
        changes.update(_encoded(proposal))
        if team is not None:
            changes["team"] = [_encoded_member(entry) for entry in team]
        first = proposal.pending_changes is None
        Proposal.objects.filter(pk=proposal.pk).update(pending_changes=changes, updated_at=timezone.now())
        proposal.refresh_from_db()
        if first:
            record_event(actor=by, action="proposal.changes_started", obj=proposal, organisation=proposal.organisation)
        return proposal
    proposal.save()
    if team is not None:
        _replace_team(proposal, team, by)
    return proposal


def _encoded(proposal):
    """The editable fields of the proposal as JSON values (ids for relations, text for decimals)."""
    values = {}
    for name in [*PROPOSAL_FIELDS, "principal_investigator"]:
        field = Proposal._meta.get_field(name)
        value = getattr(proposal, field.attname)
        values[name] = str(value) if isinstance(value, Decimal) else value
    return values


def _encoded_member(entry):
    user = entry.get("user")
    return {
        "user_id": user.pk if user is not None else None,
        "email": user.email if user is not None else entry.get("email", ""),
        "full_name": (user.full_name or user.email) if user is not None else entry.get("full_name", ""),
        "organisation_name": entry.get("organisation_name", ""),
        "country": str(entry.get("country", "") or ""),
        "role": entry.get("role") or "Co-investigator",
    }


def apply_pending_changes(proposal):
    """Put a submitted proposal's saved changes onto the instance in memory (nothing is written)."""
    for name, value in (proposal.pending_changes or {}).items():
        if name == "team":
            continue
        field = Proposal._meta.get_field(name)
        setattr(proposal, field.attname, value if field.is_relation else field.to_python(value))
    return proposal


def pending_team(proposal):
    """The co-investigators as saved in a submitted proposal's changes, or None when the team is unchanged."""
    if not proposal.pending_changes or "team" not in proposal.pending_changes:
        return None
    return proposal.pending_changes["team"]


def _team_entries_of(members):
    users = User.objects.in_bulk([m["user_id"] for m in members if m.get("user_id")])
    return [{**m, "user": users.get(m.get("user_id"))} for m in members]


# Proposals: checks ---------------------------------------------------------------------------


def keep_resource_checks(*, proposals):
    """Check the resource requests of `proposals` (a queryset) against their platforms again and keep the result,
    as saving each would: after a platform's limits change."""
    changed = []
    for proposal in proposals.select_related("platform"):
        checks = check_resources(proposal, proposal.platform)
        if checks != proposal.resource_checks:
            proposal.resource_checks = checks
            changed.append(proposal)
    Proposal.objects.bulk_update(changed, ["resource_checks"], batch_size=1000)
    return len(changed)


def submission_problems(proposal):
    """Everything that stops the proposal from being submitted as it stands, as {field: message}."""
    required = REQUIRED_FOR_LETTER if proposal.stage == Proposal.Stage.LETTER else REQUIRED_FOR_FULL
    problems = {}
    for field in required:
        value = getattr(proposal, field)
        if value in (None, "", []):
            label = str(Proposal._meta.get_field(field).verbose_name)
            problems[field] = _("%(field)s is required before submitting.") % {"field": label[:1].upper() + label[1:]}
    if proposal.stage == Proposal.Stage.FULL:
        problems.update(resource_problems(proposal))
    return problems


# Proposals: submission -----------------------------------------------------------------------


def snapshot(proposal):
    """The content of a version: every field, the team and the attached files' fingerprints."""
    content = {}
    for field in PROPOSAL_FIELDS:
        value = getattr(proposal, field)
        if field == "platform":
            value = value.name if value else ""
        elif isinstance(value, Decimal):
            value = figure(value)
        content[field] = value
    content["principal_investigator"] = str(proposal.principal_investigator)
    content["organisation"] = proposal.organisation.name
    content["country"] = proposal.organisation.country.code
    content["team"] = [
        {
            "name": member.full_name,
            "organisation": member.organisation_name,
            "country": member.country.code,
            "role": member.role,
        }
        for member in proposal.team.all()
        if not member.is_invited
    ]
    content["attachments"] = [
        {"id": attachment.pk, "name": attachment.original_name, "kind": attachment.kind, "sha256": attachment.sha256}
        for attachment in proposal.attachments.filter(removed_at__isnull=True)
    ]
    return content


def content_hash(content):
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def submit_proposal(*, proposal, by):
    """Freeze the proposal as a new version and send the team a receipt; refused after the deadline."""
    proposal = lock(Proposal, proposal.pk)
    now = timezone.now()
    refuse(permissions.submit_refusal(by, proposal, now))
    if proposal.status == Proposal.Status.SUBMITTED:
        # Submitting again: the changes saved beside the submitted version become the proposal's content.
        team = pending_team(proposal)
        apply_pending_changes(proposal)
        proposal.pending_changes = None
        proposal.save()
        if team is not None:
            _replace_team(proposal, _team_entries_of(team))
    problems = submission_problems(proposal)
    if problems:
        raise ValidationError(problems)
    content = snapshot(proposal)
    number = proposal.versions.count() + 1
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=number,
        stage=proposal.stage,
        content=content,
        content_hash=content_hash(content),
        submitted_at=now,
        submitted_by=by,
    )
    from_state = proposal.status
    proposal.status = Proposal.Status.SUBMITTED
    proposal.submitted_at = now
    proposal.save(update_fields=["status", "submitted_at", "updated_at"])
    record_event(
        actor=by,
        action="proposal.submitted",
        obj=proposal,
        organisation=proposal.organisation,
        from_state=from_state,
        to_state=proposal.status,
        data={"version": number, "content_hash": version.content_hash, "stage": proposal.stage},
    )
    email_team(
        proposal,
        "proposal_submitted",
        {
            "version": version,
            "submitted_by": by,
            "deadline": proposal.deadline,
            "number": number,
        },
        notice=gettext_lazy("%(title)s was submitted (version %(number)s)."),
    )
    return version


@transaction.atomic
def withdraw_proposal(*, proposal, by, reason=""):
    """Withdraw a submitted proposal before the deadline; it can be edited and resubmitted as a new version."""
    proposal = lock(Proposal, proposal.pk)
    refuse(permissions.withdraw_refusal(by, proposal))
    team = pending_team(proposal)
    apply_pending_changes(proposal)
    proposal.pending_changes = None
    proposal.status = Proposal.Status.WITHDRAWN
    # Changes saved beside the submitted version become the draft.
    proposal.save()
    if team is not None:
        _replace_team(proposal, _team_entries_of(team))
    record_event(
        actor=by,
        action="proposal.withdrawn",
        obj=proposal,
        organisation=proposal.organisation,
        from_state=Proposal.Status.SUBMITTED,
        to_state=proposal.status,
        reason=reason,
    )
    email_team(
        proposal,
        "proposal_withdrawn",
        {
            "withdrawn_by": by,
            "reason": reason,
            "deadline": proposal.deadline,
        },
        notice=gettext_lazy("%(title)s was withdrawn."),
    )
    return proposal


# Administrators: shortlist and compliance ---------------------------------------------------


@transaction.atomic
def shortlist_letter(*, proposal, by, shortlisted, reason=""):
    """Decide on a letter of intent: a shortlisted team goes on to write the full proposal."""
    proposal = lock(Proposal, proposal.pk)
    refuse(permissions.shortlist_refusal(by, proposal))
    from_state = proposal.shortlist or "pending"
    if shortlisted:
        proposal.shortlist = Proposal.Shortlist.SHORTLISTED
        proposal.stage = Proposal.Stage.FULL
        proposal.status = Proposal.Status.DRAFT
    else:
        proposal.shortlist = Proposal.Shortlist.NOT_SHORTLISTED
    proposal.save(update_fields=["shortlist", "stage", "status", "updated_at"])
    record_event(
        actor=by,
        action="proposal.shortlisted" if shortlisted else "proposal.not_shortlisted",
        obj=proposal,
        organisation=proposal.organisation,
        from_state=from_state,
        to_state=proposal.shortlist,
        reason=reason,
    )
    email_team(
        proposal,
        "proposal_shortlisted" if shortlisted else "proposal_not_shortlisted",
        {
            "reason": reason,
            "deadline": proposal.call.deadline,
        },
        notice=gettext_lazy("%(title)s was shortlisted.")
        if shortlisted
        else gettext_lazy("%(title)s was not shortlisted."),
    )
    return proposal


@transaction.atomic
def record_compliance(*, proposal, by, eligible, reason=""):
    """Record the administrative compliance check of a submitted proposal once the call has closed."""
    proposal = lock(Proposal, proposal.pk)
    refuse(permissions.compliance_refusal(by, proposal))
    if not eligible and not (reason or "").strip():
        raise DomainError(_("Say why the proposal is not eligible."), field="reason")
    from_state = proposal.compliance or "not_checked"
    proposal.compliance = Proposal.Compliance.ELIGIBLE if eligible else Proposal.Compliance.NOT_ELIGIBLE
    proposal.compliance_reason = (reason or "").strip()
    proposal.save(update_fields=["compliance", "compliance_reason", "updated_at"])
    record_event(
        actor=by,
        action="proposal.compliance",
        obj=proposal,
        organisation=proposal.organisation,
        from_state=from_state,
        to_state=proposal.compliance,
        reason=proposal.compliance_reason,
    )
    return proposal


# Attachments ---------------------------------------------------------------------------------


def validate_pdf(upload):
    """A real PDF, within the size limit, judged by its content rather than its name."""
    limit = settings.PROPOSAL_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise DomainError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_000_000, 1), "limit": limit // 1_000_000},
            field="file",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    if not head.lstrip().startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise DomainError(_("The file is not a PDF document."), field="file")


@transaction.atomic
def add_attachment(*, proposal, by, upload, kind=Attachment.Kind.TECHNICAL):
    """Attach a PDF to a draft proposal."""
    proposal = lock(Proposal, proposal.pk)
    refuse(permissions.files_refusal(by, proposal))
    validate_pdf(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = get_valid_filename(upload.name or "document.pdf")[:200] or "document.pdf"
    attachment = Attachment(
        proposal=proposal, kind=kind, original_name=name, size=upload.size, sha256=digest.hexdigest(), uploaded_by=by
    )
    if proposal.call.anonymity == Call.Anonymity.DUAL:
        attachment.names_found = documents.names_in(documents.text_of(upload), team_names(proposal))
        upload.seek(0)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record_event(
        actor=by,
        action="proposal.attachment_added",
        obj=proposal,
        organisation=proposal.organisation,
        data={"attachment": name, "sha256": attachment.sha256},
    )
    return attachment


def team_names(proposal):
    """The names that would tell a dual-anonymous reviewer whose proposal it is: the principal investigator's,
    the co-investigators' and the lead organisation's (in English and in its own language)."""
    people = [proposal.principal_investigator.full_name]
    people += [member.full_name for member in proposal.team.all() if not member.is_invited]
    return [*people, proposal.organisation.name, proposal.organisation.native_name]


def attachment_warning(attachment):
    """What to tell the team about a file whose text names them, or ''."""
    if not attachment.names_found:
        return ""
    return _(
        "This call is dual-anonymous, and the text of %(file)s names %(names)s. Reviewers get the file without its "
        "author metadata, but not without its text: consider removing these names and uploading it again."
    ) % {"file": attachment.original_name, "names": ", ".join(attachment.names_found)}


def reviewer_copy(*, attachment):
    """The file a reviewer of a dual-anonymous call gets: a copy without the document information dictionary
    and the XMP metadata, made at the first download and kept in the default storage for the next ones."""
    if attachment.reviewer_copy:
        return attachment.reviewer_copy
    with transaction.atomic():
        attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if not attachment.reviewer_copy:
            with attachment.file.open("rb") as original:
                try:
                    cleaned = documents.without_metadata(original)
                except documents.UnreadablePdf as error:
                    raise DomainError(
                        _("This file could not be prepared for anonymous review; the programme office can help.")
                    ) from error
            attachment.reviewer_copy.save(f"{attachment.pk}.pdf", ContentFile(cleaned), save=False)
            attachment.save(update_fields=["reviewer_copy"])
            # No actor and no organisation: the team reads its organisation's log and must not learn who reviews.
            record_event(
                actor=None,
                action="proposal.attachment_reviewer_copy",
                obj=attachment.proposal,
                data={"attachment": attachment.pk, "sha256": attachment.sha256},
            )
    return attachment.reviewer_copy


@transaction.atomic
def remove_attachment(*, attachment, by):
    """Take a file off a draft; the file stays stored for the versions that include it."""
    proposal = lock(Proposal, attachment.proposal_id)
    refuse(permissions.files_refusal(by, proposal))
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    record_event(
        actor=by,
        action="proposal.attachment_removed",
        obj=proposal,
        organisation=proposal.organisation,
        data={"attachment": attachment.original_name},
    )


# Reminders -----------------------------------------------------------------------------------


def send_deadline_reminders(now=None):
    """Remind teams with unsubmitted drafts 7 days and 1 day before their deadline; each reminder once."""
    now = now or timezone.now()
    sent = 0
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    calls = Call.objects.filter(status=Call.Status.OPEN)
    for call in calls:
        for stage in (Proposal.Stage.LETTER, Proposal.Stage.FULL):
            deadline = call.deadline_for(stage) if (stage == Proposal.Stage.FULL or call.has_letter_stage) else None
            if deadline is None or not (now < deadline <= horizon):
                continue
            due = [days for days in REMINDER_DAYS if deadline - now <= timedelta(days=days)]
            if not due:
                continue
            days_before = min(due)
            drafts = (
                Proposal.objects.filter(
                    call=call, stage=stage, status__in=[Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN]
                )
                # One Exists, so both conditions apply to the same reminder row (a multi-valued exclude would not).
                .exclude(
                    Exists(
                        DeadlineReminder.objects.filter(proposal=OuterRef("pk"), stage=stage, days_before=days_before)
                    )
                )
                .select_related("call", "principal_investigator", "organisation")
                .prefetch_related("team")
            )
            for proposal in drafts:
                sent += _send_reminder(proposal, stage, days_before, deadline)
    return sent


def _send_reminder(proposal, stage, days_before, deadline):
    try:
        with transaction.atomic():
            DeadlineReminder.objects.create(proposal=proposal, stage=stage, days_before=days_before)
            email_team(
                proposal,
                "proposal_deadline_reminder",
                {
                    "days_before": days_before,
                    "deadline": deadline,
                },
                notice=gettext_lazy("%(title)s is not submitted yet; the deadline is near."),
            )
    except IntegrityError:
        return 0
    return 1
