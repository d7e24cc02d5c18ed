"""The data model, one module per aggregate."""

from kb.models.collection import (
    AgendaItem,
    Collection,
    CollectionItem,
    CurationEvent,
    Event,
    EventFormat,
    Visibility,
)
from kb.models.organisation import Organisation, PracticeOrganisation, Role, Source
from kb.models.practice import (
    Evaluation,
    EvaluationType,
    Implementation,
    Practice,
    PracticeTranslation,
    Scope,
    Status,
    TextOrigin,
)
from kb.models.review import AuditEvent, Comment, Notification, PracticeVersion
from kb.models.search import SearchChange, SearchNode, ThesaurusGroup
from kb.models.taxonomy import (
    ActorType,
    Corridor,
    Country,
    Framework,
    Pillar,
    Region,
    Sector,
    Subdivision,
    Theme,
)
from kb.models.user import LoginFailure, User, UserRole

__all__ = [
    "ActorType",
    "AgendaItem",
    "AuditEvent",
    "Comment",
    "Collection",
    "CollectionItem",
    "Corridor",
    "CurationEvent",
    "Country",
    "Evaluation",
    "EvaluationType",
    "Event",
    "EventFormat",
    "Framework",
    "Implementation",
    "LoginFailure",
    "Notification",
    "Organisation",
    "Pillar",
    "Practice",
    "PracticeOrganisation",
    "PracticeTranslation",
    "PracticeVersion",
    "Region",
    "Role",
    "Scope",
    "SearchChange",
    "SearchNode",
    "Sector",
    "Source",
    "Status",
    "Subdivision",
    "TextOrigin",
    "Theme",
    "ThesaurusGroup",
    "User",
    "UserRole",
    "Visibility",
]
