"""Domain errors raised by services; views and the API turn them into clear messages."""


class DomainError(Exception):
    """A request the portal understood but will not carry out."""

    status_code = 400

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = str(message)
        self.field = field


class TransitionNotAllowed(DomainError):
    """The object is not in a state that allows this change."""

    status_code = 409


class NotAllowed(DomainError):
    """The user may see the object but not do this to it."""

    status_code = 403
