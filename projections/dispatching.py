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
    each called as `handler(self, event, cursor, notification_id)`; the event types it handles are those handlers'."""

    on: ClassVar[singledispatchmethod[None]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dispatcher = cls.__dict__["on"].dispatcher
        cls.handles = tuple(kind for kind in dispatcher.registry if kind is not object)

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        self.on(event, cursor, notification_id)
