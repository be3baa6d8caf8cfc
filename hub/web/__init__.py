"""The hub's web interface: server-rendered pages (Jinja2, LV/EN) on the same services as the API.

`install_web(app)` adds the pages, the static files (htmx served locally) and the security headers.
"""

from __future__ import annotations

from hub.web.app import install_web

__all__ = ["install_web"]
