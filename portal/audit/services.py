from portal.middleware import current_ip

from .models import AuditEvent


def record_event(*, actor, action, obj, organisation=None, from_state="", to_state="", reason="", data=None):
    """Write one audit row; call it inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor.email if actor is not None and actor.is_authenticated else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        organisation=organisation,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=data or {},
        ip_address=current_ip(),
    )
