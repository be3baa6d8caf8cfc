"""Settings from the environment (`HUB_` prefix) or a `.env` file, checked at start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MAX_MONITORING_DAYS = 730  # two years: the longest monitoring after closure a close may set


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


def _providers_from(value: object) -> object:
    """`HUB_OIDC_PROVIDERS` is a JSON list, or the path of a file holding one."""
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


class Settings(IdentitySettings):
    """Where the hub keeps its log and keys, where it listens, and its limits."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    store: str = Field(
        default="var/hub.sqlite",
        description="SQLite file path (embedded default) or a postgresql:// URL",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    key_dir: Path = Path("var/keys")
    document_dir: Path | None = Field(
        default=None, description="Encrypted released documents (default: `documents` next to the key directory)"
    )
    demo: bool = False
    # Where people report accessibility problems (the accessibility statement names it; EU directive 2016/2102).
    accessibility_contact: str = Field(default="", max_length=200)
    token_ttl_minutes: int = Field(default=15, ge=1, le=24 * 60)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=64 * 1024 * 1024)
    follow_interval_seconds: float = Field(default=0.2, gt=0, le=60)
    clock_tick_seconds: float = Field(
        default=60, gt=0, le=3600, description="How often `hub serve` checks response clocks and consent periods"
    )
    rate_limit_user_per_minute: int = Field(default=1200, ge=0, description="Requests per user per minute (0: off)")
    rate_limit_agency_per_minute: int = Field(
        default=6000, ge=0, description="Requests per agency per minute, all its users together (0: off)"
    )
    access_batch_wait_ms: float = Field(
        default=2.0, ge=0, le=100, description="How long an access event may wait to share a transaction"
    )
    checkpoint_origin: str = Field(
        default="lv-referral-hub/audit-log",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$",
        description="The audit log's name in its signed checkpoints and verifier key",
    )
    checkpoint_interval_seconds: float = Field(default=1.0, gt=0, le=3600)
    checkpoint_every_events: int = Field(default=1000, ge=1)
    monitoring_days: int = Field(
        default=180,
        ge=0,
        le=MAX_MONITORING_DAYS,
        description="Days a closed referral stays monitored when its closure sets no period (0: none)",
    )

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

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment the `eventsourcing` library reads to pick and open its store."""
        if not self.uses_postgres:
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(self.sqlite_path)}
        parts = urlsplit(self.store)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.strip("/"),
            "POSTGRES_HOST": parts.hostname or "",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_POOL_SIZE": "8",
            "POSTGRES_MAX_OVERFLOW": "8",
        }

    def postgres_conninfo(self) -> str:
        return self.store.replace("postgres://", "postgresql://", 1)
