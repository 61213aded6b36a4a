"""Calendar parts built when a mail is sent. Packages that own the data register a builder under a name.

A builder gets the arguments stored in the outbox row and answers (METHOD, iCalendar bytes), or None when
there is nothing to attach any more. Building at send time keeps enqueueing cheap inside busy transactions,
and an invitation always shows the event as it is when it leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

CalendarPart = tuple[str, bytes]
Builder = Callable[[dict[str, object]], Awaitable[CalendarPart | None]]
BUILDERS: dict[str, Builder] = {}


def register(name: str, builder: Builder) -> None:
    BUILDERS[name] = builder


async def build(spec: dict[str, object] | None) -> CalendarPart | None:
    if spec is None:
        return None
    return await BUILDERS[str(spec["builder"])](dict(spec.get("args") or {}))  # type: ignore[call-overload]
