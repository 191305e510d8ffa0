"""What every state change starts with: the row locked for the transaction, its state checked, a refusal raised."""

from portal.errors import TransitionNotAllowed


def lock(model, obj_or_pk):
    """The row again, locked until the transaction ends (an instance or a primary key)."""
    pk = getattr(obj_or_pk, "pk", obj_or_pk)
    return model.objects.select_for_update().get(pk=pk)


def require_state(obj, allowed, message):
    """Refuse the change unless `obj` is in one of the `allowed` states."""
    if obj.status not in allowed:
        raise TransitionNotAllowed(message)


def refuse(refusal):
    """Raise the refusal a permission rule named, if any (the same rule decides whether the button shows)."""
    if refusal is not None:
        raise refusal
