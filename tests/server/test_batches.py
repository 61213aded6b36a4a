"""Group commit: attempts that arrive together are decided together; a group that fails is decided again alone."""

from __future__ import annotations

import asyncio

import pytest

from server.batches import GroupCommit


class Ledger:
    """A `decide` that records its groups; attempt "bad" fails any group it is in, "refused" is refused alone."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []

    async def decide(self, key: str, attempts: list[str]) -> list[str | Exception]:
        self.groups.append(list(attempts))
        await asyncio.sleep(0.01)
        if "bad" in attempts:
            raise RuntimeError("the group's transaction failed")
        return [ValueError(attempt) if attempt == "refused" else f"{key}:{attempt}" for attempt in attempts]


async def test_attempts_that_arrive_together_are_decided_in_one_group_in_arrival_order() -> None:
    ledger = Ledger()
    commit: GroupCommit[str, str, str] = GroupCommit(ledger.decide)
    answers = await asyncio.gather(*(commit.submit("event", f"a{i}") for i in range(5)))
    assert answers == [f"event:a{i}" for i in range(5)]
    assert ledger.groups == [[f"a{i}" for i in range(5)]]
    assert await commit.submit("event", "later") == "event:later"  # a quiet key: decided at once, alone
    assert ledger.groups[-1] == ["later"]


async def test_keys_are_decided_apart_and_groups_have_a_size_limit() -> None:
    ledger = Ledger()
    commit: GroupCommit[str, str, str] = GroupCommit(ledger.decide, most=2)
    await asyncio.gather(*(commit.submit(key, f"{key}{i}") for i in range(4) for key in ("x", "y")))
    assert sorted(ledger.groups) == [["x0", "x1"], ["x2", "x3"], ["y0", "y1"], ["y2", "y3"]]


async def test_a_group_that_fails_is_decided_again_alone_and_only_the_cause_fails() -> None:
    ledger = Ledger()
    commit: GroupCommit[str, str, str] = GroupCommit(ledger.decide)
    first = asyncio.create_task(commit.submit("event", "first"))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(commit.submit("event", attempt)) for attempt in ("a", "bad", "refused", "b")]
    assert await first == "event:first"
    assert await rest[0] == "event:a" and await rest[3] == "event:b"
    with pytest.raises(RuntimeError, match="transaction failed"):
        await rest[1]
    with pytest.raises(ValueError, match="refused"):
        await rest[2]
    assert ledger.groups[1:] == [["a", "bad", "refused", "b"], ["a"], ["bad"], ["refused"], ["b"]]


async def test_a_caller_that_goes_away_leaves_its_attempt_in_the_group() -> None:
    ledger = Ledger()
    commit: GroupCommit[str, str, str] = GroupCommit(ledger.decide)
    first = asyncio.create_task(commit.submit("event", "first"))
    await asyncio.sleep(0)
    leaving = asyncio.create_task(commit.submit("event", "leaving"))
    staying = asyncio.create_task(commit.submit("event", "staying"))
    await asyncio.sleep(0)
    leaving.cancel()
    assert await staying == "event:staying" and await first == "event:first"
    assert ledger.groups == [["first"], ["leaving", "staying"]]
