"""Validation rules of trainee reports, each with an importance: errors block submission, warnings do not.

Same-period identities are errors; checks across periods are warnings, because certification and placement
lag completion by one period or more (DHIS2's lesson, reference section A).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from server.i18n import Named
from talent.models import Occupation, TraineeReport

Violation = tuple[str, dict[str, object]]  # field, message parameters


@dataclass(frozen=True)
class Facts:
    """A report and what its rules compare it with."""

    report: TraineeReport
    occupation: Occupation
    previous_closing: int | None  # the same programme's closing in the previous period, if reported
    year_certified: int  # this cohort's certifications so far this year, this report included
    year_completed: int


@dataclass(frozen=True)
class Rule:
    code: str
    importance: Literal["error", "warning"]
    check: Callable[[Facts], list[Violation]]


def _closing(facts: Facts) -> list[Violation]:
    closing = facts.report.closing
    return [("dropped", {"closing": closing})] if closing < 0 else []


def _levels_known(facts: Facts) -> list[Violation]:
    known = {level["code"] for level in facts.occupation.levels}
    return [(f"levels.{code}", {"level": code}) for code in sorted(facts.report.levels) if code not in known]


def _level_name(occupation: Occupation, code: str) -> Named | str:
    """The level's name in both languages; an unknown code stays as typed (it is what the reader entered)."""
    named = next((level for level in occupation.levels if level["code"] == code), None)
    return Named(zh=named["zh"], en=named["en"]) if named else code


def _certified_within_assessed(facts: Facts) -> list[Violation]:
    return [
        (
            f"levels.{code}.certified",
            {
                "level": _level_name(facts.occupation, code),
                "certified": counts.get("certified", 0),
                "assessed": counts.get("assessed", 0),
            },
        )
        for code, counts in sorted(facts.report.levels.items())
        if counts.get("certified", 0) > counts.get("assessed", 0)
    ]


def _opening_continues(facts: Facts) -> list[Violation]:
    previous = facts.previous_closing
    if previous is not None and previous != facts.report.opening:
        return [("opening", {"opening": facts.report.opening, "previous": previous})]
    return []


def _year_certified_within_completed(facts: Facts) -> list[Violation]:
    if facts.year_certified > facts.year_completed:
        return [("levels", {"certified": facts.year_certified, "completed": facts.year_completed})]
    return []


def _hours_for_new(facts: Facts) -> list[Violation]:
    report = facts.report
    return [("training_hours", {"new": report.new})] if report.new > 0 and report.training_hours == 0 else []


RULES = [
    Rule("closing_negative", "error", _closing),
    Rule("level_unknown", "error", _levels_known),
    Rule("certified_above_assessed", "error", _certified_within_assessed),
    Rule("opening_differs", "warning", _opening_continues),
    Rule("certified_above_completed", "warning", _year_certified_within_completed),
    Rule("new_without_hours", "warning", _hours_for_new),
]


def evaluate(facts: Facts) -> list[tuple[Rule, str, dict[str, object]]]:
    """Every violation: the rule, the field it names and the parameters of its message."""
    return [(rule, field, params) for rule in RULES for field, params in rule.check(facts)]
