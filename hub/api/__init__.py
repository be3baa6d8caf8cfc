"""The HTTP API (FastAPI): one router per resource, auth as a dependency, problem+json errors."""
