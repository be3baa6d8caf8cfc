"""The people capability: one record per person, relationships (need-to-know), erasure and keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.people.case_service import CaseService
from hub.people.erasure_service import ErasureService
from hub.people.relationship_service import RelationshipService
from hub.people.service import SubjectService
from projections.relationships import RelationshipView
from projections.subjects import SubjectView

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.relationships = RelationshipService(hub)
    hub.subjects = SubjectService(hub, hub.index, hub.relationships)
    hub.erasure = ErasureService(hub, hub.subjects, hub.relationships)
    hub.cases = CaseService(hub, hub.relationships, hub.index)


PEOPLE = Capability(
    "people",
    views=lambda: (SubjectView(), RelationshipView()),
    install=install,
    api=("hub.people.api:router", "hub.people.api_cases:router"),
    web=("hub.people.web:router", "hub.people.web_cases:router"),
    commands=(
        ("subjects", "hub.people.cli:subjects_app"),
        ("retention", "hub.people.cli:retention_app"),
        ("keys", "hub.people.cli:keys_app"),
    ),
)
