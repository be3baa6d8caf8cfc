"""What an agency still has in hand: open referrals, record requests and handovers it is party to.

Read from the referral, record-request and handover views, to decide whether the agency may be closed.
"""

from __future__ import annotations

from uuid import UUID

from events.handover import HandoverStatus
from events.records import RecordRequestStatus
from events.referrals import ReferralStatus
from projections.viewdb import ViewDatabase

_REFERRAL_ENDED = (ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)
_REQUEST_OPEN = (RecordRequestStatus.OPEN, RecordRequestStatus.ACKNOWLEDGED)
_HANDOVER_OPEN = (HandoverStatus.RECORDED, HandoverStatus.OFFERED)


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" for _ in values)


def open_work(database: ViewDatabase, agency_id: UUID) -> dict[str, int]:
    """How many referrals, record requests and handovers the agency is party to are not finished (zeros left out)."""
    agency = str(agency_id)
    referrals = database.query(
        "SELECT COUNT(DISTINCT r.id) AS n FROM view_referrals r "
        "LEFT JOIN view_referral_recipients p ON p.referral_id = r.id "
        f"WHERE (r.lead_agency_id = ? OR r.referrer_agency_id = ? OR p.agency_id = ?) "
        f"AND r.status NOT IN ({_marks(_REFERRAL_ENDED)})",
        (agency, agency, agency, *_REFERRAL_ENDED),
    )
    requests = database.query(
        "SELECT COUNT(*) AS n FROM view_record_requests WHERE (requester_agency_id = ? OR responder_agency_id = ?) "
        f"AND status IN ({_marks(_REQUEST_OPEN)})",
        (agency, agency, *_REQUEST_OPEN),
    )
    handovers = database.query(
        "SELECT COUNT(*) AS n FROM view_handovers WHERE (from_agency_id = ? OR to_agency_id = ?) "
        f"AND status IN ({_marks(_HANDOVER_OPEN)})",
        (agency, agency, *_HANDOVER_OPEN),
    )
    counts = {
        "referrals": int(referrals[0]["n"]),
        "record_requests": int(requests[0]["n"]),
        "handovers": int(handovers[0]["n"]),
    }
    return {name: count for name, count in counts.items() if count}
