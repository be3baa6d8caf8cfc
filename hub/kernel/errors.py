"""Domain errors, each with a machine-readable reason the API turns into a problem response."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused; `reason` is a stable code, `field` the input it concerns, if any."""

    status = 422

    def __init__(self, reason: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.field = field


class InvalidInput(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Gone(DomainError):
    status = 410


class Unavailable(DomainError):
    status = 503
