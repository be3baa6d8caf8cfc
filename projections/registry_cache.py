"""Registry lookups cached in process, valid exactly as long as the registry view has not moved.

The registry view's stored position changes in the same transaction as its rows, and only when its rows change
(the follower stores a view's position only with batches that changed it). So each lookup reads that one position
(a single-row read) and serves its answer from memory while the position is the one the answer was read under;
any other position, whichever process applied it (this one's follower, another API replica's, a command line's),
empties the cache first. A renamed or closed agency or a suspended user is thus seen by the next lookup.
Inside `one_position()` the lookups share one reading of the position (authentication makes two lookups).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar
from uuid import UUID

from projections.follower import read_position
from projections.registry import RegistryQueries, RegistryView
from projections.viewdb import Row, ViewDatabase

Answer = TypeVar("Answer")
MAX_ENTRIES = 4096  # agencies and users of a whole country fit; beyond it, answers are read but not kept


class CachedRegistryQueries(RegistryQueries):
    """`RegistryQueries` whose lookups by id, code, kind and username are answered from memory while valid."""

    def __init__(self, database: ViewDatabase) -> None:
        super().__init__(database)
        self._lock = threading.Lock()
        self._position: int | None = None
        self._answers: dict[Hashable, object] = {}
        self._scope: ContextVar[int | None] = ContextVar(f"registry-position-{id(self)}", default=None)

    @contextmanager
    def one_position(self) -> Iterator[None]:
        """Lookups inside share one reading of the position (a request's lookups need not each ask the store)."""
        token = self._scope.set(read_position(self.database, RegistryView.name))
        try:
            yield
        finally:
            self._scope.reset(token)

    def _cached(self, key: Hashable, load: Callable[[], Answer]) -> Answer:
        position = self._scope.get()
        if position is None:
            position = read_position(self.database, RegistryView.name)
        with self._lock:
            if position != self._position:
                self._answers.clear()
                self._position = position
            elif key in self._answers:
                return self._answers[key]  # type: ignore[return-value]
        answer = load()  # read after the position: at least as new as it
        with self._lock:
            if self._position == position and len(self._answers) < MAX_ENTRIES:
                self._answers[key] = answer
        return answer

    def agency(self, agency_id: UUID) -> Row | None:
        return _copy(self._cached(("agency", agency_id), lambda: RegistryQueries.agency(self, agency_id)))

    def agencies_by_id(self, agency_ids: Iterable[UUID]) -> dict[UUID, Row]:
        wanted = frozenset(agency_ids)
        found = self._cached(("agencies", wanted), lambda: RegistryQueries.agencies_by_id(self, wanted))
        return {agency_id: dict(row) for agency_id, row in found.items()}

    def agency_by_code(self, code: str) -> Row | None:
        return _copy(self._cached(("code", code), lambda: RegistryQueries.agency_by_code(self, code)))

    def agencies_of_kind(self, kind: str, municipality: str | None) -> list[Row]:
        found = self._cached(
            ("kind", kind, municipality), lambda: RegistryQueries.agencies_of_kind(self, kind, municipality)
        )
        return [dict(row) for row in found]

    def holds_user(self, username: str) -> bool:
        position = self._scope.get()
        if position is None:
            position = read_position(self.database, RegistryView.name)
        with self._lock:
            return position == self._position and self._answers.get(("user", username)) is not None

    def user_by_username(self, username: str) -> Row | None:
        return _copy(self._cached(("user", username), lambda: RegistryQueries.user_by_username(self, username)))


def _copy(row: Row | None) -> Row | None:
    """A copy for the caller, so that nothing a caller changes reaches the cache (roles are a fresh list too)."""
    if row is None:
        return None
    copy = dict(row)
    if isinstance(copy.get("roles"), list):
        copy["roles"] = list(copy["roles"])
    return copy
