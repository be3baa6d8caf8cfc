"""Sign-ins and token exchanges, permitted or refused, appended to the log (`events.identity`)."""

from __future__ import annotations

from events.base import Actor
from events.identity import SignInMethod, SignInRecorded
from events.ids import new_stream_id
from events.values import Decision
from hub.kernel.core import CITIZEN_ACTOR, Core
from policies.decision import CITIZEN_ROLE
from projections.viewdb import Row


def record_sign_in(
    core: Core, method: SignInMethod, provider: str, user: Row | None, reason: str | None = None
) -> None:
    """Append one attempt: permitted without a reason, refused with one; `user` is the registry row, if any."""
    if user is not None:
        actor = Actor(
            user_id=user["username"], agency_id=user["agency_id"], role=",".join(sorted(user["roles"])) or "none"
        )
    elif method is SignInMethod.CITIZEN:
        actor = Actor(user_id=CITIZEN_ACTOR, role=CITIZEN_ROLE)
    else:
        actor = Actor(user_id="", role="none")
    core.app.append(
        SignInRecorded(
            originator_id=new_stream_id(),
            originator_version=1,
            timestamp=core.now(),
            actor=actor,
            method=method,
            provider=provider,
            decision=Decision.DENY if reason else Decision.PERMIT,
            reason=reason,
        )
    )
