"""The command-line commands of an aggregate's transition table: one per row, with the aggregate's id, the acting
user and an option per field of the row's body."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from inspect import Parameter, Signature
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

import typer
from pydantic.fields import FieldInfo

import hub.cli_support as cli
from hub.cli_support import UserOption
from hub.kernel.drafts import DraftModel
from hub.kernel.transition_rows import TransitionRow
from hub.service import Hub
from policies.decision import Principal

# Calls the service: (hub, the acting user, the aggregate's id, the row's action, its body or None) -> a document.
Act = Callable[[Hub, Principal, UUID, Any, DraftModel | None], object]


def _option_type(info: FieldInfo) -> object:
    """The plain type of a draft's field for the command line (an enum keeps its choices; optional stays optional)."""
    annotation: Any = info.annotation
    members = [member for member in get_args(annotation) if member is not type(None)]
    plain: Any = members[0] if get_origin(annotation) in (Union, UnionType) else annotation
    plain = get_args(plain)[0] if get_origin(plain) is Annotated else plain
    return plain if info.is_required() else plain | None


def _command(
    row: TransitionRow,
    target: Parameter,
    act: Act,
    show: Callable[[object], None],
    option_help: Mapping[str, str] = {},
) -> Callable[..., None]:
    """The command of one row; `target` is the parameter naming the aggregate (an argument or an option), and
    `option_help` the help of a body's field by name (the field's own description otherwise)."""
    fields = row.draft.model_fields if row.draft else {}

    def command(user: str, **values: Any) -> None:
        aggregate_id = values.pop(target.name)
        with cli.open_hub() as hub:
            draft = row.draft(**values) if row.draft else None
            document = act(hub, hub.principal_for(user), aggregate_id, row.action, draft)
        show(document)

    options = [
        Parameter(
            name,
            Parameter.KEYWORD_ONLY,
            annotation=Annotated[_option_type(info), typer.Option(help=option_help.get(name, info.description))],
            default=Parameter.empty if info.is_required() else None,
        )
        for name, info in fields.items()
    ]
    user = Parameter("user", Parameter.KEYWORD_ONLY, annotation=UserOption)
    command.__signature__ = Signature([target, user, *options], return_annotation=None)  # type: ignore[attr-defined]
    command.__doc__ = row.description
    return command


def add_transition_commands(
    app: typer.Typer,
    rows: Iterable[TransitionRow],
    target: Parameter,
    act: Act,
    show: Callable[[object], None],
    option_help: Mapping[str, str] = {},
) -> None:
    """Register a command per row, named by its segment (`hub referrals request-information`)."""
    for row in rows:
        app.command(row.segment)(_command(row, target, act, show, option_help))
