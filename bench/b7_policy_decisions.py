"""B7: policy decisions/s through the hub's decision point, against raw `cedarpy` with everything pre-built."""

from __future__ import annotations

import json
from uuid import uuid4

import cedarpy

from bench.harness import BenchStore, Row, Scale, per_second, ratio_row
from events.values import AgencyKind, Role
from policies.access import RECIPIENT_CATEGORIES, ReferralResource, decide_referral_read
from policies.decision import Principal
from policies.engine import default_engine, principal_entities

DECISIONS = {"tiny": 200, "quick": 5_000, "full": 20_000}


def run(store: BenchStore, scale: Scale) -> list[Row]:
    """No store is involved; measured alongside each store's run, so the two rows show the noise between runs."""
    count = DECISIONS.get(scale.name, 5_000)
    engine = default_engine()
    agency = uuid4()
    principal = Principal(uuid4(), "bench.cm", agency, AgencyKind.SOCIAL_SERVICE, frozenset({Role.CASE_MANAGER}))
    referral = ReferralResource(uuid4(), uuid4(), frozenset({agency}))
    entities = engine.static_entities.with_added_json_str(json.dumps(principal_entities(principal)), engine.schema)
    context = {"relations": ["recipient"], "break_glass": False, "justified": False}
    requests = [
        {
            "principal": f'User::"{principal.user_id}"',
            "action": 'Action::"read"',
            "resource": f'Category::"{category.value}"',
            "context": context,
        }
        for category in RECIPIENT_CATEGORIES
    ]
    assert decide_referral_read(principal, referral).permitted

    def raw() -> None:
        for _ in range(count):
            cedarpy.is_authorized_batch(requests, engine.policies, entities, engine.schema)

    def hub() -> None:
        for _ in range(count):
            decide_referral_read(principal, referral)

    return [
        ratio_row(
            "B7",
            store.kind,
            "referral read decisions/s (3 categories each)",
            per_second(count, hub),
            per_second(count, raw),
            "decisions/s",
            0.8,
            count,
        )
    ]
