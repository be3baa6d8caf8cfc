"""The hub's API under uvicorn plus one trivial endpoint on the same server, the baseline of B2 and B3.

Run as `python -m bench.server --port N` with the hub's settings in the environment (HUB_STORE, HUB_KEY_DIR).
"""

from __future__ import annotations

import argparse

import uvicorn

from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.service import Hub, startup_objects_frozen

TRIVIAL_PATH = "/bench/trivial"


def trivial() -> dict[str, str]:
    """Does nothing, through the same stack (router, thread pool, JSON response) as the hub's endpoints."""
    return {"status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    with startup_objects_frozen():  # as `hub serve` does
        app = create_app(Hub(Settings()))
        app.add_api_route(TRIVIAL_PATH, trivial, methods=["GET", "POST"])
        uvicorn.run(app, host="127.0.0.1", port=arguments.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
