"""The registry capability: agencies, users, their administration and import, their keys and webhooks (demo
seeding in `hub.registry.demo`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.registry.admin_service import RegistryAdminService
from hub.registry.service import RegistryService

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.registry_admin = RegistryAdminService(hub)
    hub.registry = RegistryService(hub, hub.registry_admin)


REGISTRY = Capability(
    "registry",
    install=install,
    api=("hub.registry.api:router", "hub.registry.scim:router"),
    web=("hub.registry.web_admin:router",),
    commands=(
        ("agencies", "hub.registry.cli:agencies_app"),
        ("users", "hub.registry.cli:users_app"),
        ("admin", "hub.registry.cli:admin_app"),
    ),
)
