"""Webhook delivery: POST each queued envelope, signed, to the agency's current URL; retry with backoff.

An answer 2xx delivers; 408, 425, 429, 5xx and network errors are retried after an exponentially growing delay
(until `max_attempts`); any other answer (4xx, or a redirect, which is never followed) fails the delivery for
good. An agency's deliveries go out in log order: a delivery waiting for its retry holds back the agency's later
ones, never another agency's. Clock and sender are injectable, so tests neither wait nor mock the network.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from adapters.webhook_outbox import Attempt, Delivery, DeliveryLog, DeliveryStatus
from adapters.webhook_signature import signature_headers
from hub.service import Hub

log = logging.getLogger(__name__)

# (url, body, headers, timeout in seconds) -> HTTP status; raises OSError when no answer came.
Sender = Callable[[str, bytes, Mapping[str, str], float], int]

RETRIED_STATUSES = frozenset({408, 425, 429})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_over_http(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST with the standard library; any HTTP answer is returned as its status (redirects are not followed)."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310 - http(s) only, checked at registration
    try:
        with _opener.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError as error:
        if isinstance(error.reason, OSError):
            raise error.reason from None  # e.g. ConnectionRefusedError, for the delivery log
        raise


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential backoff: `first`, then twice as long each time up to `ceiling`; give up after `max_attempts`."""

    first: timedelta = timedelta(seconds=30)
    ceiling: timedelta = timedelta(hours=6)
    max_attempts: int = 12

    def delay_after(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt."""
        delay: timedelta = self.first * 2 ** (attempts - 1)
        return min(delay, self.ceiling)


def outcome(http_status: int) -> DeliveryStatus | None:
    """Delivered, failed for good, or None: worth another try."""
    if 200 <= http_status < 300:
        return DeliveryStatus.DELIVERED
    if http_status in RETRIED_STATUSES or http_status >= 500:
        return None
    return DeliveryStatus.FAILED


class WebhookDispatcher:
    """Sends what is due, signed with the hub's key, and records every attempt in the delivery log."""

    def __init__(
        self,
        hub: Hub,
        log: DeliveryLog,
        sender: Sender = post_over_http,
        clock: Callable[[], datetime] | None = None,
        schedule: RetrySchedule | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.hub = hub
        self.log = log
        self.sender = sender
        self.clock = clock or hub.now
        self.schedule = schedule or RetrySchedule()
        self.timeout = timeout

    def deliver_due(self, limit: int = 1000) -> int:
        """Attempt every due delivery (each agency's in order) up to `limit` attempts; returns the attempts made."""
        attempts = 0
        urls: dict[UUID, str | None] = {}
        while attempts < limit and (due := self.log.due(self.clock(), min(100, limit - attempts))):
            for delivery in due:
                if delivery.agency_id not in urls:
                    urls[delivery.agency_id] = self.hub.app.agency(delivery.agency_id).webhook_url
                self.attempt(delivery, urls[delivery.agency_id])
                attempts += 1
        return attempts

    def attempt(self, delivery: Delivery, url: str | None) -> Attempt:
        now = self.clock()
        headers = {
            "Content-Type": "application/json",
            **signature_headers(self.hub.signing_key, delivery.event_id, int(now.timestamp()), delivery.body),
        }
        http_status: int | None = None
        error: str | None = None
        if url is None:
            status: DeliveryStatus | None = DeliveryStatus.FAILED
            error = "no_webhook"
        else:
            try:
                http_status = self.sender(url, delivery.body, headers, self.timeout)
                status = outcome(http_status)
            except OSError as failure:
                status, error = None, type(failure).__name__
        result = self._result(delivery, now, status, http_status, error)
        if self.log.record(delivery, result):
            log.info(
                "webhook delivery %s to agency %s: %s (attempt %d)",
                delivery.event_id,
                delivery.agency_id,
                result.status.value,
                delivery.attempts + 1,
            )
        return result

    def _result(
        self,
        delivery: Delivery,
        now: datetime,
        status: DeliveryStatus | None,
        http_status: int | None,
        error: str | None,
    ) -> Attempt:
        if status is not None:
            return Attempt(status, now, http_status, error)
        attempts = delivery.attempts + 1
        if attempts >= self.schedule.max_attempts:
            return Attempt(DeliveryStatus.FAILED, now, http_status, error or "gave_up")
        return Attempt(DeliveryStatus.PENDING, now, http_status, error, now + self.schedule.delay_after(attempts))
