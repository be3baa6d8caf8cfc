"""The witness's HTTP interface (C2SP `tlog-witness`): `POST /add-checkpoint` and `GET /<origin hash>/checkpoint`.

It cosigns a checkpoint only when the log's signature verifies and the checkpoint extends the last one it
cosigned for that origin; refusals carry the status the specification requires and a plain-text reason.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from events.integrity.checkpoint import Verifier, split_note
from events.integrity.cosignature import cosign, with_cosignatures
from events.integrity.witness import LogHead, Refusal, decide, parse_request
from hub.witness.state import WitnessState

SIZE_TYPE = "text/x.tlog.size"
MAX_REQUEST_BYTES = 64 * 1024  # 63 proof lines and a checkpoint with many signatures fit easily
logger = logging.getLogger(__name__)


def origin_hash(origin: str) -> str:
    return hashlib.sha256(origin.encode()).hexdigest()


def create_witness_app(name: str, key: Ed25519PrivateKey, logs: Sequence[Verifier], state: WitnessState) -> FastAPI:
    trusted = {log.name: log for log in logs}
    app = FastAPI(title=f"Witness {name}", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        body = await request.body()
        try:
            if len(body) > MAX_REQUEST_BYTES:
                raise Refusal(400, "the request is too large")
            submission = parse_request(body)

            def check(heads: Mapping[str, LogHead]) -> LogHead:
                head = decide(submission, trusted, heads)
                line = cosign(split_note(head.note)[0], name, key, int(time.time()))
                return replace(head, note=with_cosignatures(head.note, [line]), cosignature=line)

            head = await run_in_threadpool(state.advance, check)
        except Refusal as refusal:
            logger.warning("refused a checkpoint: %s (%s)", refusal.reason, refusal.status)
            if refusal.status == 409:
                return Response(f"{refusal.size}\n", 409, headers={"Content-Type": SIZE_TYPE})  # no charset added
            return PlainTextResponse(refusal.reason + "\n", refusal.status)
        return PlainTextResponse(head.cosignature)

    @app.get("/{hashed}/checkpoint")
    def checkpoint(hashed: str) -> Response:
        for origin, head in state.heads().items():
            if origin_hash(origin) == hashed:
                return PlainTextResponse(head.note)
        return PlainTextResponse("this witness has not cosigned a checkpoint of that log\n", 404)

    return app
