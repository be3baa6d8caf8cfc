"""Registry lookups cached in process: answered from memory while the registry view stands still, and a renamed or
closed agency or a suspended user seen by the very next lookup, in the process that made the change and in another
hub on the same store (whose views another process applied)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from events.values import AgencyKind
from hub.kernel.config import Settings
from hub.kernel.core import SuspendedUser
from hub.registry.domain import AgencyDraft, ReasonDraft, RenameDraft
from hub.service import Hub
from projections.viewdb import ViewDatabase

NEW_NAME = "Tukuma novada Sociālais dienests un ģimenes atbalsta centrs"


@pytest.fixture
def other(hub: Hub, settings: Settings) -> Iterator[Hub]:
    """A second hub on the same store, as another API process is."""
    instance = Hub(settings)
    try:
        yield instance
    finally:
        instance.close()


def queries_of(database: ViewDatabase, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL the view database is asked from now on."""
    asked: list[str] = []
    original = database.query

    def query(sql: str, parameters: Any = ()) -> Any:
        asked.append(sql)
        return original(sql, parameters)

    monkeypatch.setattr(database, "query", query)
    return asked


def test_a_repeated_lookup_reads_only_the_registry_position(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    first = hub.registry_queries.agency_by_code("TUK-SD")
    asked = queries_of(hub.views_db, monkeypatch)
    again = hub.registry_queries.agency_by_code("TUK-SD")
    assert again == first
    assert asked == ["SELECT notification_id FROM view_tracking WHERE view_name = ?"]


def test_what_a_caller_changes_in_an_answer_does_not_reach_the_next_caller(hub: Hub) -> None:
    user = hub.registry_queries.user_by_username("tukums.cm")
    assert user is not None
    user["roles"].append("registry_admin")
    user["suspended"] = True
    again = hub.registry_queries.user_by_username("tukums.cm")
    assert again is not None
    assert again["roles"] == ["case_manager"]
    assert again["suspended"] is False


def test_a_rename_and_a_suspension_are_seen_at_once_here_and_in_another_hub(hub: Hub, other: Hub) -> None:
    token = hub.issue_token("tukums.intake")
    for instance in (hub, other):  # both caches hold the old answers
        assert instance.authenticate(token).username == "tukums.intake"
        assert instance.registry_queries.agency_by_code("TUK-SD")["name"] != NEW_NAME  # type: ignore[index]
    agency_id = hub.authenticate(token).agency_id
    hub.registry.admin.rename_agency(None, "TUK-SD", RenameDraft(name=NEW_NAME))
    for instance in (hub, other):
        assert instance.registry_queries.agency_by_code("TUK-SD")["name"] == NEW_NAME  # type: ignore[index]
        assert instance.registry_queries.agency(agency_id)["name"] == NEW_NAME  # type: ignore[index]
        assert instance.registry_queries.agencies_by_id([agency_id])[agency_id]["name"] == NEW_NAME
    other.registry.set_user_suspended("tukums.intake", True)  # applied to the views by the other hub
    for instance in (hub, other):
        with pytest.raises(SuspendedUser):
            instance.authenticate(token)
    hub.registry.set_user_suspended("tukums.intake", False)
    for instance in (hub, other):
        assert instance.authenticate(token).username == "tukums.intake"


def test_a_closed_agency_is_no_longer_routed_to_here_or_in_another_hub(hub: Hub, other: Hub) -> None:
    draft = AgencyDraft(
        code="TAL-BT", name="Talsu novada bāriņtiesa", kind=AgencyKind.ORPHANS_COURT, municipality="talsu-novads"
    )
    other.registry.admin.add_agency(None, draft)
    for instance in (hub, other):
        found = instance.registry_queries.agencies_of_kind("orphans_court", "talsu-novads")
        assert [row["code"] for row in found] == ["TAL-BT"]
    other.registry.admin.close_agency(None, "TAL-BT", ReasonDraft(reason="merged"))
    for instance in (hub, other):
        assert instance.registry_queries.agencies_of_kind("orphans_court", "talsu-novads") == []
        assert instance.registry_queries.agency_by_code("TAL-BT")["closed"] is True  # type: ignore[index]


def test_lookups_in_one_reading_ask_for_the_position_once_and_the_next_reading_sees_a_change(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = hub.issue_token("tukums.cm")
    hub.authenticate(token)
    asked = queries_of(hub.views_db, monkeypatch)
    hub.authenticate(token)  # a user and their agency: two lookups, one reading
    assert asked == ["SELECT notification_id FROM view_tracking WHERE view_name = ?"]
    hub.registry.set_user_suspended("tukums.cm", True)
    with pytest.raises(SuspendedUser):
        hub.authenticate(token)
