"""Errors raised by domain rules.

Every message is Chinese because it reaches the coordinator or unit staff
as-is (CLI output, import reports). Raising one of these before any write
is how a rule "changes nothing".
"""


class RectifyError(Exception):
    """A rule was broken; the message says which, in Chinese.

    `field` names the input field concerned (a ledger column such as
    "lead_unit"), when there is one, so an import can point at the cell.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class PermissionDenied(RectifyError):
    """The actor's role or unit does not allow the action."""


class InvalidTransition(RectifyError):
    """The finding's status does not allow the action."""


class ValidationError(RectifyError):
    """An input value is missing or malformed."""


class CalendarUnknown(RectifyError):
    """A date falls in a year whose holiday schedule is not known."""


class SchemaOutOfDate(RectifyError):
    """The database has not been migrated to the code's schema."""
