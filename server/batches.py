"""Group commit: attempts on the same key that arrive together are decided together, in one transaction.

A rush of registrations for one event would otherwise take the event's locks and commit once per attempt; here the
first attempt for a key starts a leader task, and everything that queues for the key while a group is being decided
forms the next group (no timer: a quiet key decides each attempt at once, a busy one in groups of up to `most`).
`decide(key, attempts)` answers each attempt with its result or its own error, and commits before anyone is answered,
so a crash loses nothing that was answered. When the group as a whole fails (an error that `decide` did not pin on
one attempt, such as a constraint violated by one of them), each attempt is decided again alone: only the attempt
that caused the failure fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
A = TypeVar("A")
R = TypeVar("R")

log = logging.getLogger(__name__)

Decide = Callable[[K, list[A]], Awaitable[list[R | Exception]]]


class GroupCommit(Generic[K, A, R]):
    """Per process: at most one group per key is being decided at a time; groups of the same key are decided in
    arrival order."""

    def __init__(self, decide: Decide[K, A, R], *, most: int = 100) -> None:
        self.decide = decide
        self.most = most
        self._queued: dict[K, list[tuple[A, asyncio.Future[R]]]] = {}
        self._leaders: dict[K, asyncio.Task[None]] = {}

    async def submit(self, key: K, attempt: A) -> R:
        """The attempt's result once its group has committed (or its own error)."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queued.setdefault(key, []).append((attempt, future))
        if key not in self._leaders:
            self._leaders[key] = asyncio.create_task(self._lead(key))
        # Shielded: a caller that goes away does not take its attempt out of a group already being decided.
        return await asyncio.shield(future)

    async def _lead(self, key: K) -> None:
        try:
            while queued := self._queued.pop(key, None):
                group, rest = queued[: self.most], queued[self.most :]
                if rest:
                    self._queued[key] = rest
                try:
                    outcomes = await self._outcomes(key, [attempt for attempt, _ in group])
                except BaseException as error:  # cancelled at shutdown: nobody is left waiting
                    for _, future in group + self._queued.pop(key, []):
                        if not future.done():
                            future.set_exception(error if isinstance(error, Exception) else RuntimeError("stopped"))
                    raise
                for (_, future), outcome in zip(group, outcomes, strict=True):
                    if future.done():
                        continue
                    if isinstance(outcome, Exception):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            del self._leaders[key]

    async def _outcomes(self, key: K, attempts: list[A]) -> list[R | Exception]:
        if len(attempts) > 1:
            try:
                return await self.decide(key, attempts)
            except Exception:
                log.info("a group of %d failed as a whole; deciding each alone", len(attempts), exc_info=True)
        return [await self._alone(key, attempt) for attempt in attempts]

    async def _alone(self, key: K, attempt: A) -> R | Exception:
        try:
            (outcome,) = await self.decide(key, [attempt])
        except Exception as error:
            return error
        return outcome
