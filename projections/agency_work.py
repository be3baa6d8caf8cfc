"""What an agency still has in hand: the unfinished items of every view of work between agencies (referrals, record
requests, handovers, and whatever a capability's view counts), to decide whether the agency may be closed."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from projections.follower import View
from projections.viewdb import ViewDatabase


def open_work(database: ViewDatabase, views: Iterable[View], agency_id: UUID) -> dict[str, int]:
    """How many unfinished items each view counts for the agency, by view name (zeros left out)."""
    counts = {view.name: view.open_work(database, agency_id) for view in views}
    return {name: count for name, count in counts.items() if count}
