"""Errors written for the person who will read them; only the CLI and UI turn them into exits."""


class GuideError(Exception):
    """Something went wrong that the user can act on; the message says what and what to do."""


class RefusedFile(GuideError):
    """A file that cannot join the library; the message is the reason, for a member of staff."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # it crosses from a reader process
        return (type(self), (self.path, self.reason))


class LibraryEmpty(GuideError):
    """Asked a question before any document was ingested."""
