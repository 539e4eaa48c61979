"""The hub's own exceptions; views turn them into HTTP answers."""


class HubError(Exception):
    """Base class of the hub's domain errors."""


class NotFound(HubError):
    """A record that does not exist, or that the reader may not see."""


class ContentError(HubError):
    """A content file that cannot be loaded: which file, which field, and why."""

    def __init__(self, path: str, field: str | None, reason: str) -> None:
        self.path = path
        self.field = field
        self.reason = reason
        where = f"{path}: {field}: " if field else f"{path}: "
        super().__init__(where + reason)
