"""What a capability declares to the hub: its views, how it attaches its services, its due work, where its API
routes, pages and command groups are, and the listing pages the shared web layer draws for it.

`Hub`, the API app, the web app and the command line loop over `hub.capabilities.CAPABILITIES` (every
`hub/<name>/manifest.py`, found and ordered by `after`). Routers and
command groups are named "module:attribute" and imported only when the app or the command line is built, because
they depend on the `Hub` that the capabilities make up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from projections.follower import View

if TYPE_CHECKING:
    from hub.service import Hub


def _nothing(_: Hub) -> None:
    return None


@dataclass(frozen=True)
class Listing:
    """A page listing what one of the capability's audited reads returns to the signed-in user, drawn by
    `hub/web/listing.py` with the shared template: no page router or template of its own."""

    path: str
    title: str  # a message id, marked with `N_`
    columns: tuple[tuple[str, str], ...]  # (key in each row, message id of its heading)
    rows: str  # "module:function" of `(hub, principal) -> list of rows`, each a mapping of the keys to text
    empty: str = "Nothing here yet."  # a message id


@dataclass(frozen=True)
class Capability:
    name: str
    after: tuple[str, ...] = ()  # the capabilities whose services it uses: installed before it
    views: Callable[[], Sequence[View]] = tuple
    install: Callable[[Hub], None] = _nothing  # gives the hub the capability's services (`Hub.provide`)
    due_work: Callable[[Hub], None] = _nothing  # what time alone sets off (clocks, expiries)
    api: tuple[str, ...] = ()  # "module:router" of its API routers
    web: tuple[str, ...] = ()  # "module:router" of its page routers
    commands: tuple[tuple[str, str], ...] = ()  # (group name, "module:typer app") of its command groups
    listings: tuple[Listing, ...] = ()  # its listing pages
    person_actions: tuple[str, ...] = ()  # Cedar actions about a person its policies decide (added to the schema)


def load(reference: str) -> Any:
    """The object a "module:attribute" reference names."""
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)
