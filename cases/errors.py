"""Domain errors raised by services; views and the API map them to HTTP codes."""


class CaseError(Exception):
    """Base class: ``message`` is safe to show to the user."""

    http_status = 400

    def __init__(self, message, *, field=None, details=None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.details = details or {}


class InvalidInput(CaseError):
    http_status = 400


class Forbidden(CaseError):
    http_status = 403


class NotFound(CaseError):
    http_status = 404


class Conflict(CaseError):
    """The act is not legal in the case's current state, or the copy acted on is stale."""

    http_status = 409
