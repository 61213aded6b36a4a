"""A movable clock for the competition services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from events.competitions import submissions, teams
from events.mailing import Site
from server.clock import utcnow
from server.settings import Settings
from tests.competitions.support import Clock


@pytest.fixture
def clock() -> Iterator[Clock]:
    moving = Clock(utcnow())
    with pytest.MonkeyPatch.context() as patch:
        for module in (teams, submissions):
            patch.setattr(module, "utcnow", moving)
        yield moving


@pytest.fixture
def site(settings: Settings) -> Site:
    return Site.of(settings)
