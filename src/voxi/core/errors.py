"""Domain errors that carry their HTTP meaning; `core.error_handlers` renders them."""

from __future__ import annotations


class VoxiError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields


class BadRequest(VoxiError):
    pass


class ValidationFailed(VoxiError):
    status_code = 422
    code = "validation_error"
    message = "Some fields are invalid."


class Unauthorized(VoxiError):
    status_code = 401
    code = "unauthorized"
    message = "Authentication is required."


class Forbidden(VoxiError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(VoxiError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(VoxiError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with existing data."


class PayloadTooLarge(VoxiError):
    status_code = 413
    code = "payload_too_large"
    message = "The request body is too large."


class RateLimited(VoxiError):
    status_code = 429
    code = "rate_limited"
    message = "Too many attempts. Please wait a minute and try again."


class NoTenantContext(RuntimeError):
    """A tenant-scoped query ran with no tenant bound: a programming error, never a user error."""

    def __init__(self) -> None:
        super().__init__("query on a tenant-scoped model without a tenant context")
