"""Routing table: social service always; bāriņtiesa and police by concern; immediate to all three."""

import pytest

from events.values import AgencyKind as K
from events.values import Concern as C
from events.values import Urgency as U
from policies.routing import recipient_kinds


@pytest.mark.parametrize(
    ("concerns", "urgency", "expected"),
    [
        ([C.NEGLECT], U.ROUTINE, (K.SOCIAL_SERVICE,)),
        ([C.SCHOOL_ABSENCE], U.URGENT, (K.SOCIAL_SERVICE,)),
        ([C.VIOLENCE_PHYSICAL], U.ROUTINE, (K.SOCIAL_SERVICE, K.ORPHANS_COURT)),
        ([C.ABANDONMENT], U.URGENT, (K.SOCIAL_SERVICE, K.ORPHANS_COURT)),
        ([C.DANGEROUS_HOME], U.ROUTINE, (K.SOCIAL_SERVICE, K.ORPHANS_COURT)),
        ([C.OFFENCE], U.ROUTINE, (K.SOCIAL_SERVICE, K.POLICE)),
        ([C.OFFENCE, C.VIOLENCE_SEXUAL], U.URGENT, (K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.POLICE)),
        ([C.NEGLECT], U.IMMEDIATE, (K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.POLICE)),
    ],
)
def test_recipient_kinds(concerns: list[C], urgency: U, expected: tuple[K, ...]) -> None:
    assert recipient_kinds(concerns, urgency) == expected
