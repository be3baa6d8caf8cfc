"""What a `hub serve` process runs besides the API (`HUB_ROLES`): the views' follower, the audit tree's signer, the due
work (clocks, consent expiry) and the notifications (raising items, and e-mail when SMTP is configured).

The embedded default (`all`) runs all four in the one process. In the scale-out stack the API processes run `api`
only, and `hub worker projections`, `checkpoints`, `due-work` and `notifications` do the rest. An API process
without a follower still reads its own writes: `Core.wait_for_views` applies what the views miss up to the log's
head on the request's thread, under the follower's lock, taking the positions others stored (views are shared tables
in PostgreSQL; a batch another process applied first is a `PositionConflict` the follower steps over, never an error
to the request). The signer, the due work and the notifications each run in one process at a time, elected by a
PostgreSQL advisory lock (`hub.kernel.election`); on SQLite the one process holds all three.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.kernel.election import ELECTION_ROUND_SECONDS, Election, elected
from projections.periodic import Periodic

NOTIFICATION_ROUND_SECONDS = 5.0  # how often `hub serve` raises notifications and sends their e-mail

if TYPE_CHECKING:
    from hub.service import Hub


class BackgroundRoles:
    """The background roles of one `hub serve` process, started with the app and stopped with it."""

    def __init__(self, hub: Hub, roles: frozenset[str]) -> None:
        settings = hub.settings
        self.hub = hub
        self.follows = "follower" in roles
        self.elections: list[Election] = []
        self.periodic: list[Periodic] = []
        if "signer" in roles:
            signer = Election(settings, "signer")
            self.elections.append(signer)
            self.periodic.append(
                Periodic("signer", settings.follow_interval_seconds, elected(signer, hub.audit.follow_once))
            )
        if "due-work" in roles:
            due = Election(settings, "due-work")
            self.elections.append(due)
            rounds = min(settings.clock_tick_seconds, ELECTION_ROUND_SECONDS)
            every = settings.clock_tick_seconds if settings.clock_tick_seconds > rounds else 0.0
            self.periodic.append(Periodic("due-work", rounds, elected(due, hub.run_due_work, every)))
        if "notifications" in roles:
            notifying = Election(settings, "notifications")
            self.elections.append(notifying)
            work = elected(notifying, hub.notifications.work_round)
            self.periodic.append(Periodic("notifications", NOTIFICATION_ROUND_SECONDS, work))

    def start(self) -> None:
        if self.follows:
            self.hub.follower.start(self.hub.settings.follow_interval_seconds)
        for task in self.periodic:
            task.start()

    def stop(self) -> None:
        for task in self.periodic:
            task.stop()
        for election in self.elections:
            election.release()
        if self.follows:
            self.hub.follower.stop()
