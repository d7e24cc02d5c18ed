"""The one state machine of an entry's life: which action moves which status where, and who
may take it. Pure: no database, no Flask."""

from __future__ import annotations

import enum

from kb.errors import KbError
from kb.models.practice import Status


class Action(enum.StrEnum):
    submit = "submit"
    request_changes = "request_changes"
    publish = "publish"
    reject = "reject"
    archive = "archive"


# (status, action) -> the status it leads to. Nothing else is allowed:
# draft -> submitted -> (changes_requested -> submitted)* -> published | rejected;
# published -> archived -> published.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.draft, Action.submit): Status.submitted,
    (Status.changes_requested, Action.submit): Status.submitted,
    (Status.submitted, Action.request_changes): Status.changes_requested,
    (Status.submitted, Action.publish): Status.published,
    (Status.submitted, Action.reject): Status.rejected,
    (Status.published, Action.archive): Status.archived,
    (Status.archived, Action.publish): Status.published,
}
# Actions only editors take; the submitter of an entry may submit it.
EDITOR_ACTIONS = frozenset({Action.request_changes, Action.publish, Action.reject, Action.archive})
# Actions that must say why.
NOTE_REQUIRED = frozenset({Action.request_changes, Action.reject})
# Statuses in which the submitter may still edit the entry.
EDITABLE_BY_SUBMITTER = frozenset({Status.draft, Status.changes_requested})


class TransitionRefused(KbError):
    def __init__(self, status: Status, action: Action):
        super().__init__(f"{action} is not allowed on an entry that is {status}")
        self.status = status
        self.action = action


def next_status(status: Status, action: Action) -> Status:
    """Where ``action`` takes an entry in ``status``. Raises TransitionRefused."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionRefused(status, action) from None


def actions_from(status: Status) -> list[Action]:
    """The actions the table allows from ``status``, in the table's order."""
    return [action for (start, action) in TRANSITIONS if start == status]
