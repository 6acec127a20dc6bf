"""One root error for everything a user can see.

Every error carries a stable ``code`` (used as the ledger's reason code and in API
problem documents), a human message, an optional ``hint`` that says what to do, and
the CLI ``exit_code``.
"""

from __future__ import annotations


class DocledgerError(Exception):
    code = "error"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class ConfigurationError(DocledgerError):
    code = "configuration_error"
    exit_code = 2


class NotFound(DocledgerError):
    code = "not_found"
    exit_code = 3
    http_status = 404


class InvalidRequest(DocledgerError):
    code = "invalid_request"
    exit_code = 2
    http_status = 400


class PermissionDenied(DocledgerError):
    code = "permission_denied"
    exit_code = 4
    http_status = 403


class UnprocessableDocument(DocledgerError):
    """The document (or one page of it) cannot be processed; retrying will not help.

    Stages raise it with a specific code (``encrypted_pdf``, ``corrupt_file``...). The
    worker records it as a terminal failure of the document (or of the page) and does not retry.
    """

    code = "unprocessable_document"
    exit_code = 5
    http_status = 422


class StoreError(DocledgerError):
    """A driver error wrapped at the store boundary."""

    code = "store_error"
    exit_code = 6


class DuplicateKey(StoreError):
    """A write hit a unique key (the row exists already): raised by every store, whatever the driver."""

    code = "duplicate_key"


class LeaseLost(DocledgerError):
    """Another worker took over the delivery (our lease expired); our results are discarded."""

    code = "lease_lost"
