"""Settings from the environment (`HUB_` prefix) or a `.env` file, checked at start.

The README's settings table is generated from this class (`python -m hub.kernel.settings_doc`): give every new
setting a `description`.
"""

from __future__ import annotations

import json
import math
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

from psycopg.conninfo import make_conninfo
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MAX_MONITORING_DAYS = 730  # two years: the longest monitoring after closure a close may set
# What `hub serve` may run besides the API (`HUB_ROLES`); the workers of the scale-out stack are `hub worker ...`.
# `all` runs every one, notifications included whether or not SMTP is configured: the pages' items and counters
# need them raised, and without `HUB_SMTP_HOST` the round only sends no e-mail.
BACKGROUND_ROLES = ("follower", "signer", "due-work", "notifications")
ROLES = ("api", *BACKGROUND_ROLES)


# --- Identity (hub/identity/): OpenID providers people sign in with, agency systems' OAuth tokens ---


class OidcProvider(BaseModel):
    """One OpenID provider people sign in with (national, or one agency's own)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Its name in the hub's addresses and log")
    title: str = Field(min_length=1, max_length=100, description="What the sign-in button says")
    issuer: str = Field(pattern=r"^https?://", description="Its issuer URL (discovery is read from there)")
    client_id: str = Field(min_length=1)
    client_secret_file: Path = Field(description="A file holding the client secret (never in the settings)")
    user_claim: Literal["preferred_username", "sub"] = Field(
        default="preferred_username", description="The claim that equals the hub username"
    )
    agencies: tuple[str, ...] = Field(default=(), description="Codes of the agencies whose users it may sign in (all)")
    api_audience: str | None = Field(
        default=None, description="The audience of its access tokens the API accepts (none: the API refuses them)"
    )
    scope: str = "openid profile"
    citizens: bool = Field(
        default=False,
        description="It signs in citizens (a national eID), who may see only their own data; never staff",
    )
    personal_code_claim: str = Field(
        default="personal_code",
        pattern=r"^[A-Za-z_][A-Za-z0-9_:.-]{0,99}$",
        description="For a citizens' provider: the claim holding the person's personal code",
    )

    @model_validator(mode="after")
    def _citizens_use_no_api(self) -> OidcProvider:
        if self.citizens and (self.api_audience is not None or self.agencies):
            raise ValueError("a citizens' provider signs in no staff: give it neither api_audience nor agencies")
        return self


def _providers_from(value: object) -> object:
    """`HUB_OIDC_PROVIDERS` (and `HUB_WITNESSES`) is a JSON list, or the path of a file holding one."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if not text.startswith("["):
            text = Path(text).read_text(encoding="utf-8")
        return json.loads(text)
    return value


class IdentitySettings(BaseSettings):
    """How people and agency systems prove who they are (kept in one block)."""

    oidc_providers: Annotated[tuple[OidcProvider, ...], NoDecode] = Field(
        default=(), description="OpenID providers people sign in with: a JSON list, or the path of a JSON file"
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#]+$",
        description="The hub's address as browsers and agency systems reach it (default: the address asked for)",
    )
    oauth_token_ttl_minutes: int = Field(
        default=5, ge=1, le=60, description="Lifetime of a token an agency system gets with its signed assertion"
    )
    session_warning_seconds: int = Field(
        default=120, ge=10, le=3600, description="How long before a web session ends the page warns"
    )
    form_keep_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="How long a form sent after the session ended is kept"
    )

    @field_validator("oidc_providers", mode="before")
    @classmethod
    def _parse_providers(cls, value: object) -> object:
        return _providers_from(value)

    @field_validator("oidc_providers")
    @classmethod
    def _distinct_providers(cls, value: tuple[OidcProvider, ...]) -> tuple[OidcProvider, ...]:
        names = [provider.name for provider in value]
        issuers = [provider.issuer for provider in value]
        if len(set(names)) != len(names) or len(set(issuers)) != len(issuers):
            raise ValueError("each OpenID provider needs its own name and issuer")
        return value

    def oidc_provider(self, name: str) -> OidcProvider | None:
        return next((provider for provider in self.oidc_providers if provider.name == name), None)


# --- end of identity settings ---


class MailSettings(BaseSettings):
    """How notifications go out by e-mail (SMTP with STARTTLS); no host means no e-mail is sent."""

    smtp_host: str | None = Field(default=None, description="SMTP server for notification e-mails (unset: none sent)")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP server port (submission, with STARTTLS)")
    smtp_user: str | None = Field(default=None, description="User name to sign in to the SMTP server (unset: none)")
    smtp_password_file: Path | None = Field(default=None, description="File holding the SMTP user's password")
    smtp_sender: str = Field(default="hub@localhost", description="The From address of notification e-mails")
    smtp_ca_file: Path | None = Field(
        default=None,
        description="CA certificates the SMTP server's STARTTLS certificate is checked with (unset: the system's)",
    )
    smtp_timeout_seconds: float = Field(
        default=10, gt=0, le=120, description="How long one SMTP connection may take before the attempt fails"
    )
    notification_digest_time: time = Field(
        default=time(8, 0), description="Riga time of the daily digest e-mail (sent on working days only)"
    )
    notification_retry_seconds: float = Field(
        default=60, gt=0, le=3600, description="Wait before the first retry of a failed e-mail (doubles each time)"
    )


class WitnessEndpoint(BaseModel):
    """A witness the hub submits its checkpoints to (C2SP tlog-witness)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://", description="Its submission prefix (add-checkpoint is under it)")
    vkey: str = Field(min_length=1, description="Its cosigner key (`hub witness public-key`)")


class Settings(IdentitySettings, MailSettings):
    """Where the hub keeps its log and keys, where it listens, and its limits."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    store: str = Field(
        default="var/hub.sqlite",
        description="SQLite file (embedded) or `postgresql://user@host:port/db` (password: `HUB_STORE_PASSWORD_FILE`)",
    )
    store_password_file: Path | None = Field(
        default=None,
        description="File holding the PostgreSQL password (a container secret); overrides a password in `HUB_STORE`",
    )
    store_timeout_seconds: float = Field(
        default=2.0,
        ge=0.5,
        le=60,
        description="Longest wait for a database connection; while the store is away, requests answer 503 "
        "`store_unavailable` within about twice this",
    )
    pool_events: int = Field(
        default=8, ge=1, le=100, description="Connections to the event log per process, at most (PostgreSQL)"
    )
    pool_views: int = Field(
        default=6, ge=1, le=100, description="Connections to the views per process, at most (PostgreSQL)"
    )
    pool_keys: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Connections for data keys and the audit tree per process, at most (PostgreSQL)",
    )
    roles: str = Field(
        default="all",
        pattern=r"^(all|(api|follower|signer|due-work|notifications)(,(api|follower|signer|due-work|notifications))*)$",
        description="What `hub serve` runs: `all`, or a comma list of `api` (always served), `follower` (views), "
        "`signer` (audit tree and checkpoints, elected), `due-work` (clocks, consent expiry, elected), "
        "`notifications` (raising notifications, and their e-mail when SMTP is configured, elected)",
    )
    host: str = Field(default="127.0.0.1", description="Address `hub serve` listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `hub serve` listens on")
    key_dir: Path = Field(
        default=Path("var/keys"), description="The hub's keys: signing, checkpoint, blind-index, master (mode 0600)"
    )
    document_dir: Path | None = Field(
        default=None, description="Encrypted released documents (default: `documents` next to the key directory)"
    )
    demo: bool = Field(default=False, description="Seed the demo registry on start (`make run` sets it)")
    accessibility_contact: str = Field(
        default="",
        max_length=200,
        description="Where people report accessibility problems (the accessibility statement names it)",
    )
    token_ttl_minutes: int = Field(default=15, ge=1, le=24 * 60, description="Lifetime of issued bearer tokens")
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, le=64 * 1024 * 1024, description="Larger request bodies get 413"
    )
    follow_interval_seconds: float = Field(
        default=0.2, gt=0, le=60, description="How often the background follower and signer look for new events"
    )
    kafka_bootstrap: str | None = Field(
        default=None, description="Kafka bootstrap servers (`host:port`) for `hub worker relay` and `inbound`"
    )
    worker_heartbeat: Path | None = Field(
        default=None, description="File a worker touches after each successful round (for a container health check)"
    )
    clock_tick_seconds: float = Field(
        default=60, gt=0, le=3600, description="How often `hub serve` checks response clocks and consent periods"
    )
    visit_warning_days: int = Field(
        default=7,
        ge=0,
        le=60,
        description="Days around a planned home visit within which another agency planning one is warned of it",
    )
    rate_limit_user_per_minute: int = Field(default=1200, ge=0, description="Requests per user per minute (0: off)")
    rate_limit_agency_per_minute: int = Field(
        default=6000, ge=0, description="Requests per agency per minute, all its users together (0: off)"
    )
    access_batch_wait_ms: float = Field(
        default=2.0, ge=0, le=100, description="How long an access event may wait to share a transaction"
    )
    submission_batch_wait_ms: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description="How long a submission may wait to share a transaction (0: only with those queued meanwhile)",
    )
    checkpoint_origin: str = Field(
        default="lv-referral-hub/audit-log",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$",
        description="The audit log's name in its signed checkpoints and verifier key",
    )
    checkpoint_interval_seconds: float = Field(
        default=1.0, gt=0, le=3600, description="A checkpoint is signed at most this often (when the tree grew)"
    )
    checkpoint_every_events: int = Field(
        default=1000, ge=1, description="A checkpoint is signed as soon as this many records are not covered by one"
    )
    witnesses: Annotated[tuple[WitnessEndpoint, ...], NoDecode] = Field(
        default=(),
        description="Witnesses each new checkpoint is submitted to (`url`, `vkey`): a JSON list, or a JSON file's path",
    )
    witness_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="Longest wait for one witness's answer before it counts as unavailable"
    )
    monitoring_days: int = Field(
        default=180,
        ge=0,
        le=MAX_MONITORING_DAYS,
        description="Days a closed referral stays monitored when its closure sets no period (0: none)",
    )

    @field_validator("witnesses", mode="before")
    @classmethod
    def _parse_witnesses(cls, value: object) -> object:
        return _providers_from(value)

    @field_validator("store")
    @classmethod
    def _valid_store(cls, value: str) -> str:
        if "://" in value:
            parts = urlsplit(value)
            if parts.scheme not in ("postgresql", "postgres"):
                raise ValueError("store must be a SQLite file path or a postgresql:// URL")
            if not parts.hostname or not parts.path.strip("/"):
                raise ValueError("a PostgreSQL store URL needs a host and a database name")
        elif not value.strip():
            raise ValueError("store must not be empty")
        return value

    @property
    def background_roles(self) -> frozenset[str]:
        """The roles `hub serve` runs besides the API."""
        named = set(self.roles.split(","))
        return frozenset(BACKGROUND_ROLES) if "all" in named else frozenset(named & set(BACKGROUND_ROLES))

    def connections_at_most(self, elections: int = 0) -> int:
        """The most PostgreSQL connections one process holds: its three pools, and one for each elected job it
        stands for (the lock's own session)."""
        return self.pool_events + self.pool_views + self.pool_keys + elections

    @property
    def documents_path(self) -> Path:
        return self.document_dir or self.key_dir.parent / "documents"

    @property
    def uses_postgres(self) -> bool:
        return "://" in self.store

    @property
    def sqlite_path(self) -> Path:
        return Path(self.store)

    @property
    def views_sqlite_path(self) -> Path:
        return self.sqlite_path.with_name(self.sqlite_path.stem + "-views.sqlite")

    def store_password(self) -> str:
        """The password from `HUB_STORE_PASSWORD_FILE` (its first line), else the one in the URL, else none."""
        if self.store_password_file is not None:
            lines = self.store_password_file.read_text(encoding="utf-8").splitlines()
            return lines[0] if lines else ""
        return unquote(urlsplit(self.store).password or "")

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment the `eventsourcing` library reads to pick and open its store: a small pool whose
        connections are checked before use, and a bounded wait for one."""
        if not self.uses_postgres:
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(self.sqlite_path)}
        parts = urlsplit(self.store)
        kept = min(2, self.pool_events)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.strip("/"),
            "POSTGRES_HOST": parts.hostname or "",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": self.store_password(),
            "POSTGRES_POOL_SIZE": str(kept),
            "POSTGRES_MAX_OVERFLOW": str(self.pool_events - kept),
            "POSTGRES_CONNECT_TIMEOUT": str(math.ceil(self.store_timeout_seconds)),
            "POSTGRES_PRE_PING": "y",
        }

    def connection_options(self) -> dict[str, Any]:
        """libpq options of every connection: a bounded connect, and a dead peer noticed within seconds."""
        seconds = math.ceil(self.store_timeout_seconds)
        return {
            "connect_timeout": max(2, seconds),
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": 1000 * max(5, 3 * seconds),
        }

    def postgres_conninfo(self) -> str:
        """The store's URL as libpq connection string, with the password (from its file) and the options above."""
        url = self.store.replace("postgres://", "postgresql://", 1)
        password = self.store_password()
        extra: dict[str, Any] = {"password": password} if password else {}
        return make_conninfo(url, **extra, **self.connection_options())
