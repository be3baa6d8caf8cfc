"""Response bodies of the registry administration API (request bodies are the drafts in `hub.registry.domain`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class AgencyRecord(BaseModel):
    id: str
    code: str
    name: str
    kind: str
    municipality: str | None
    closed: bool = Field(description="closed agencies receive nothing and have no active users")


class UserRecord(BaseModel):
    id: str
    username: str
    display_name: str
    agency: str = Field(description="the code of the agency the user works in")
    roles: list[str]
    status: Literal["active", "suspended", "removed"]
    idp_issuer: str | None = Field(description="the identity provider the user signs in through, if any")


class ImportProblemRecord(BaseModel):
    row: int = Field(description="the row of the file, counted as a spreadsheet does (the header is row 1)")
    field: str
    reason: str
    message: str


class ImportReport(BaseModel):
    agencies_added: int
    users_added: int
    unchanged: int = Field(description="rows the registry already held exactly so (a re-run adds nothing)")
    problems: list[ImportProblemRecord] = Field(description="empty: the rows were appended (or would be, on a dry run)")
