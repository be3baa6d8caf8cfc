"""No request path catches a follower up by hand: reads wait for positions (`Core.wait_for_views`) instead.

Only the followers themselves and the startup path may call `catch_up`; this scan of `hub/` and `adapters/` fails
on any other use, called or passed as a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (module, function) -> why it may catch up
ALLOWED = {
    ("hub/kernel/core.py", "Core.__init__"): "startup: the views apply what the log holds before the hub serves",
    ("hub/audit/service.py", "AuditService.__init__"): "startup of the audit tree's own follower",
    ("hub/audit/service.py", "AuditService.seal"): "`hub audit seal`: give every record its leaf, then sign",
    ("hub/audit/service.py", "AuditService.follow_once"): "the elected signer's round: leaves, then a checkpoint",
    ("hub/audit/cli.py", "verify"): "`hub audit verify`: the tree must hold every record before it is checked",
    ("adapters/cli.py", "worker_projections"): "the projections worker is a follower's loop",
    ("adapters/cli.py", "worker_relay"): "the Kafka relay worker is the relay's follower loop",
    ("adapters/cli.py", "worker_webhooks.step"): "the webhook worker is the outbox's follower loop",
    ("hub/notifications/service.py", "NotificationService.work_round"): "the notification worker's round: the "
    "items it raised are in the views before it mails them, and what it mailed before its next round",
}


def catch_up_uses(path: Path) -> list[tuple[str, int]]:
    """Where a module uses an attribute named `catch_up`: (enclosing function's qualified name, line)."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, scope: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = (*scope, child.name)
            if isinstance(child, ast.Attribute) and child.attr == "catch_up":
                found.append((".".join(scope), child.lineno))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), ())
    return found


def uses_outside_the_allow_list() -> list[str]:
    refused = []
    for package in ("hub", "adapters"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            for function, line in catch_up_uses(path):
                if (module, function) not in ALLOWED:
                    refused.append(f"{module}:{line} in {function or 'the module'}")
    return refused


def test_no_request_path_calls_catch_up() -> None:
    assert uses_outside_the_allow_list() == []


def test_the_scan_finds_a_catch_up_where_there_is_one(tmp_path: Path) -> None:
    module = tmp_path / "service.py"
    module.write_text("class S:\n    def read(self):\n        self.core.follower.catch_up()\n", encoding="utf-8")
    assert catch_up_uses(module) == [("S.read", 3)]


def test_every_allowed_place_still_exists() -> None:
    """An allow-list entry whose use is gone is removed with it, so the list never grants more than is used."""
    used = {
        (path.relative_to(ROOT).as_posix(), function)
        for package in ("hub", "adapters")
        for path in (ROOT / package).rglob("*.py")
        for function, _ in catch_up_uses(path)
    }
    assert set(ALLOWED) <= used
