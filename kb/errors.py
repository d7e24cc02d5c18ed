"""Domain errors raised by services and mapped to messages by the web and CLI layers."""

from __future__ import annotations


class KbError(Exception):
    """Base class of the errors a service raises on purpose."""


class NotFound(KbError):
    pass


class PageOutOfRange(NotFound):
    """A page number past the last page of a list or of search results."""


class SeedInvalid(KbError):
    """The seed folder has problems; nothing was written."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the seed data")
        self.problems = problems


class InstanceNotFound(KbError):
    """No instance folder is configured and none can be found from here."""


class IndexBusy(KbError):
    """Another writer held the search index for longer than we were willing to wait."""
