"""The hub's web interface: server-rendered pages (Jinja2, LV/EN) on the same services as the API.

`hub.web.app.install_web(app)` adds the pages, the static files (htmx served locally) and the security headers.
The package itself imports nothing, so the notification worker reads the pages' labels and catalogues
(`hub.web.labels`, `hub.web.i18n`) without loading the web application.
"""
