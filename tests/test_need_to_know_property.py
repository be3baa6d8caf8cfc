"""Need-to-know as a property: random sequences of referrals, redirects, handovers, record requests and consents
across three municipalities; after every step, no agency without a relationship to a person can read or change
anything about that person.

The test keeps its own account of who is related to whom, from what each step's response says (who the referral
was routed to, who a case was offered to, who was asked): an agency outside that account must be refused. The
account may hold more than the hub (relationships end after a case closes); it never holds less, so a refusal it
expects is one the hub owes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from hub.api.app import create_app
from tests.conftest import child_referral, demo_hub_without_rate_limits, fresh_code

MUNICIPALITIES = {"tukuma-novads": "tukums", "daugavpils": "daugavpils", "riga": "riga"}
# One caseworker of each agency that could act about a child; the check asks each of them.
CHECKED_USERS = ("tukums.cm", "tukums.bt", "daugavpils.cm", "daugavpils.bt", "riga.cm", "riga.bt", "police.officer")
CHILDREN = 3


class NeedToKnow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.related: dict[str, set[str]] = defaultdict(set)  # subject id -> agency ids related to the child
        self.codes: list[str] = []
        self.subjects: dict[str, str] = {}  # personal code -> subject id
        self.referrals: dict[str, list[str]] = defaultdict(list)  # subject id -> referral ids

    @initialize()
    def start(self) -> None:
        self.hub = demo_hub_without_rate_limits(Path(DIRECTORY.mktemp("need-to-know")))
        self.client = TestClient(create_app(self.hub, follow_in_background=False))
        self.agency_of = {user: str(self.hub.principal_for(user).agency_id) for user in CHECKED_USERS}
        self.codes = [fresh_code() for _ in range(CHILDREN)]

    def teardown(self) -> None:
        if hasattr(self, "hub"):
            self.client.close()
            self.hub.close()

    def call(self, user: str, method: str, path: str, body: Any = None, **params: str) -> Any:
        headers = {"Authorization": f"Bearer {self.hub.issue_token(user)}"}
        return self.client.request(method, path, json=body, params=params or None, headers=headers)

    def agency(self, user: str) -> str:
        return str(self.hub.principal_for(user).agency_id)

    @rule(
        child=st.integers(0, CHILDREN - 1), municipality=st.sampled_from(sorted(MUNICIPALITIES)), violent=st.booleans()
    )
    def refer(self, child: int, municipality: str, violent: bool) -> None:
        school = f"{MUNICIPALITIES[municipality]}.school"
        details = {**child_referral()["child"], "personal_code": self.codes[child], "municipality": municipality}
        concerns = ["violence_physical"] if violent else ["neglect"]
        response = self.call(school, "POST", "/v1/referrals", child_referral(child=details, concerns=concerns))
        assert response.status_code == 201, response.text
        receipt = response.json()
        subject = str(self.hub.app.referral(UUID(receipt["id"])).child.subject_id)
        assert self.subjects.setdefault(self.codes[child], subject) == subject, "one record per person"
        self.related[subject] |= {self.agency(school), *(agency["id"] for agency in receipt["routed_to"])}
        self.referrals[subject].append(receipt["id"])

    @precondition(lambda self: bool(self.referrals))
    @rule(data=st.data(), to=st.sampled_from(sorted(MUNICIPALITIES)))
    def redirect(self, data: st.DataObject, to: str) -> None:
        subject = data.draw(st.sampled_from(sorted(self.referrals)))
        referral_id = data.draw(st.sampled_from(self.referrals[subject]))
        lead = self.hub.app.referral(UUID(referral_id)).lead_agency_id
        user = next((user for user in CHECKED_USERS if self.agency_of[user] == str(lead)), None)
        if user is None or not user.endswith(".cm"):
            return
        body = {"municipality": to, "reason": "Ģimene pārcēlusies"}
        response = self.call(user, "POST", f"/v1/referrals/{referral_id}/redirect", body)
        if response.status_code == 200:
            self.related[subject] |= {agency["id"] for agency in response.json()["routed_to"]}

    @precondition(lambda self: bool(self.referrals))
    @rule(data=st.data(), to=st.sampled_from(sorted(MUNICIPALITIES)))
    def hand_over(self, data: st.DataObject, to: str) -> None:
        subject = data.draw(st.sampled_from(sorted(self.referrals)))
        origin = data.draw(st.sampled_from(sorted(MUNICIPALITIES)))
        body = {
            "subjects": [{"subject_id": subject, "given_name": "Elza", "family_name": "Kalniņa"}],
            "to_municipality": to,
            "moved_on": "2026-01-05",
        }
        response = self.call(f"{MUNICIPALITIES[origin]}.cm", "POST", "/v1/handovers", body)
        if response.status_code == 201:
            offered = response.json()
            self.related[subject].add(offered["to_agency"]["id"])
            accepted = self.call(f"{MUNICIPALITIES[to]}.cm", "POST", f"/v1/handovers/{offered['id']}/accept")
            assert accepted.status_code == 200, accepted.text

    @precondition(lambda self: bool(self.referrals))
    @rule(data=st.data(), asked=st.sampled_from(sorted(MUNICIPALITIES)))
    def request_records(self, data: st.DataObject, asked: str) -> None:
        subject = data.draw(st.sampled_from(sorted(self.referrals)))
        requester = data.draw(st.sampled_from(sorted(MUNICIPALITIES)))
        body = {
            "municipality": asked,
            "subjects": [{"subject_id": subject, "given_name": "Elza", "family_name": "Kalniņa"}],
            "basis": "GDPR-6-1-c",
            "categories": ["assessment"],
        }
        response = self.call(f"{MUNICIPALITIES[requester]}.cm", "POST", "/v1/record-requests", body)
        if response.status_code == 201:
            for created in response.json():
                self.related[subject] |= {created["requester"]["id"], created["responder"]["id"]}

    @precondition(lambda self: bool(self.referrals))
    @rule(data=st.data(), recipient=st.sampled_from(["TUK-BT", "DAU-BT", "RIX-BT", "RIX-SD"]))
    def record_consent(self, data: st.DataObject, recipient: str) -> None:
        subject = data.draw(st.sampled_from(sorted(self.referrals)))
        recorder = data.draw(st.sampled_from(sorted(MUNICIPALITIES)))
        body = {
            "subject_id": subject,
            "granted_by": {"name": "Inga Kalniņa", "relationship": "mother"},
            "recipient_agencies": [recipient],
            "purposes": ["case_management"],
            "categories": ["assessment"],
            "evidence": "Parakstīta veidlapa",
        }
        response = self.call(f"{MUNICIPALITIES[recorder]}.cm", "POST", "/v1/consents", body)
        if response.status_code == 201:
            self.related[subject].add(str(self.hub.known_agency(recipient, "recipient")["id"]))

    @invariant()
    def no_unrelated_agency_reads_or_changes_anything(self) -> None:
        for subject, related in self.related.items():
            for user in CHECKED_USERS:
                if self.agency_of[user] in related:
                    continue
                for outcome in self.attempts(user, subject):
                    assert outcome in (403, 404, 422), (user, subject, outcome)

    def attempts(self, user: str, subject: str) -> Iterator[int]:
        """What a caller of an unrelated agency tries about the person: read and change, through every door."""
        for referral_id in self.referrals[subject]:
            yield self.call(user, "GET", f"/v1/referrals/{referral_id}").status_code
        yield self.call(user, "GET", "/v1/consents", subject_id=subject).status_code
        disclosure = {
            "recipient": "RIX-BT",
            "subjects": [subject],
            "categories": ["identity"],
            "purpose": "child_protection",
            "basis": "BTAL-73",
        }
        yield self.call(user, "POST", "/v1/disclosures", disclosure).status_code
        consent = {
            "subject_id": subject,
            "granted_by": {"name": "X"},
            "recipient_kinds": ["orphans_court"],
            "purposes": ["case_management"],
            "categories": ["assessment"],
            "evidence": "x",
        }
        yield self.call(user, "POST", "/v1/consents", consent).status_code
        yield self.call(user, "POST", f"/v1/subjects/{subject}/codes", {"personal_code": fresh_code()}).status_code
        person = {"subject_id": subject, "given_name": "Elza", "family_name": "Kalniņa"}
        move = {"subjects": [person], "to_municipality": "riga", "moved_on": "2026-01-05"}
        yield self.call(user, "POST", "/v1/handovers", move).status_code
        ask = {"municipality": "riga", "subjects": [person], "basis": "GDPR-6-1-c", "categories": ["assessment"]}
        yield self.call(user, "POST", "/v1/record-requests", ask).status_code
        yield self.call(user, "GET", f"/v1/subjects/{subject}/access-report").status_code
        if user.endswith(".cm"):
            head = user.replace(".cm", ".head")
            yield self.call(head, "POST", f"/v1/subjects/{subject}/erase", {"reason": "court_order"}).status_code


DIRECTORY: pytest.TempPathFactory


@pytest.fixture(autouse=True)
def _directory(tmp_path_factory: pytest.TempPathFactory) -> None:
    global DIRECTORY
    DIRECTORY = tmp_path_factory


NeedToKnow.TestCase.settings = settings(
    max_examples=12, stateful_step_count=6, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_no_agency_without_a_relationship_reads_or_changes_anything = NeedToKnow.TestCase
