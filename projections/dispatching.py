"""Views that apply each event with one handler per event type (functools.singledispatchmethod)."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any, ClassVar

from projections.follower import View
from projections.viewdb import Cursor


def not_handled(view: View, event: Any, cursor: Cursor, notification_id: int) -> None:
    """The fallback of every view's dispatcher: an event the view does not handle is a programming error."""
    raise TypeError(f"the {view.name} view does not handle {type(event).__name__}")


class DispatchingView(View):
    """A view whose subclass declares `on = singledispatchmethod(not_handled)` and registers a handler per event,
    each called as `handler(self, event, cursor, notification_id)`."""

    on: ClassVar[singledispatchmethod[None]]

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        self.on(event, cursor, notification_id)
