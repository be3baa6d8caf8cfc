"""Routing of referrals by concern and urgency (a versioned table)."""

from __future__ import annotations

from collections.abc import Iterable

from events.values import AgencyKind, Concern, Urgency

ROUTING_VERSION = "routing/1"

# Concerns that also go to the municipality's bāriņtiesa: violence, abandonment, danger at home.
ORPHANS_COURT_CONCERNS: frozenset[Concern] = frozenset(
    {
        Concern.VIOLENCE_PHYSICAL,
        Concern.VIOLENCE_EMOTIONAL,
        Concern.VIOLENCE_SEXUAL,
        Concern.ABANDONMENT,
        Concern.DANGEROUS_HOME,
        Concern.DOMESTIC_VIOLENCE,
    }
)

# Concerns that also go to the State Police: an offence by or against the child.
POLICE_CONCERNS: frozenset[Concern] = frozenset({Concern.OFFENCE})


def recipient_kinds(concerns: Iterable[Concern], urgency: Urgency) -> tuple[AgencyKind, ...]:
    """The kinds of agency a referral goes to; the social service of the child's municipality always."""
    concern_set = frozenset(concerns)
    kinds = [AgencyKind.SOCIAL_SERVICE]
    if urgency is Urgency.IMMEDIATE or concern_set & ORPHANS_COURT_CONCERNS:
        kinds.append(AgencyKind.ORPHANS_COURT)
    if urgency is Urgency.IMMEDIATE or concern_set & POLICE_CONCERNS:
        kinds.append(AgencyKind.POLICE)
    return tuple(kinds)


# Agency kinds that serve the whole country rather than one municipality.
NATIONAL_KINDS: frozenset[AgencyKind] = frozenset(
    {AgencyKind.POLICE, AgencyKind.CHILD_PROTECTION_CENTRE, AgencyKind.MINISTRY, AgencyKind.AUDITOR}
)
