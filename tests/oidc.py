"""A real OpenID provider for the tests (`tests/oidc_provider.mjs`, the npm package oidc-provider on Node.js), and
signing in at it as a browser would (its development sign-in form takes any name and password).

No mock: the hub talks to the provider over HTTP, checks its keys, its ID tokens and its JWT access tokens.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.pg import free_port

ROOT = Path(__file__).parent.parent
SCRIPT = Path(__file__).parent / "oidc_provider.mjs"
CLIENT_ID = "hub"
CLIENT_SECRET = "hub-test-secret"
API_AUDIENCE = "hub-api"
API_RESOURCE = "urn:hub:api"


def require_provider() -> None:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("Node.js and `npm ci` (oidc-provider) are needed: `make test` installs them")


@contextmanager
def openid_provider(redirect_uris: list[str], post_logout_uris: list[str]) -> Iterator[str]:
    """Start the provider on a free loopback port; yields its issuer URL, stops it afterwards."""
    require_provider()
    port = free_port()
    process = subprocess.Popen(
        ["node", str(SCRIPT), str(port), ",".join(redirect_uris), ",".join(post_logout_uris)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None if os.environ.get("OIDC_PROVIDER_LOG") else subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready", "the OpenID provider did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def provider_settings(issuer: str, secret_file: Path, **overrides: Any) -> str:
    """`HUB_OIDC_PROVIDERS` naming the test provider (the client secret written to `secret_file`)."""
    secret_file.write_text(CLIENT_SECRET)
    config = {
        "name": "test-idp",
        "title": "Test IdP",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret_file": str(secret_file),
        "api_audience": API_AUDIENCE,
    } | overrides
    return json.dumps([config])


def _form_action(page: str) -> str:
    match = re.search(r'<form[^>]*action="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def _hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def sign_in_at_provider(client: httpx.Client, authorize_url: str, login: str) -> str:
    """Walk the provider's sign-in and consent pages; returns the redirect back to the client (with the code)."""
    response = client.get(authorize_url)
    while response.is_redirect:
        location = response.headers["location"]
        if not location.startswith(str(client.base_url)) and not location.startswith("/"):
            return location
        response = client.get(location)
        if 'name="login"' in response.text:
            fields = _hidden_fields(response.text) | {"login": login, "password": "any"}
            response = client.post(_form_action(response.text), data=fields)
        elif "<form" in response.text:
            response = client.post(_form_action(response.text), data=_hidden_fields(response.text))
    raise AssertionError(f"the provider did not send the browser back: {response.status_code} {response.text[:300]}")
