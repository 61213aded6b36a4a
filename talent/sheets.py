"""A base's reports for one period as a spreadsheet: a template to fill in, and its upload, checked row by row
(a dry run writes nothing) before it is applied in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import ValidationError
from tortoise.transactions import in_transaction

from server import spreadsheets
from server.errors import InvalidInput
from server.i18n import LOCALES, pick, translate
from server.models import Organisation, User
from server.settings import Locale
from talent import reports
from talent.models import Period
from talent.schemas import ReportIn

COUNTS = (
    "opening",
    "new_male",
    "new_female",
    "completed",
    "dropped",
    "employed_jinan",
    "employed_elsewhere",
    "training_hours",
)


@dataclass
class RowResult:
    """What a row would do: `problems` (validation and the report's error rules) block the upload; `warnings`
    do not; a `skipped` row (unchanged, or no longer editable) is left as stored."""

    row: int
    programme_id: int | None
    problems: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    skipped: str = ""


async def _places(base: Organisation, period: Period) -> list[reports.Slot]:
    """The base's programmes running in the period (the caller has checked who may see them)."""
    running = reports.running_in(period).filter(base_id=base.id)
    return [
        reports.Slot(base, period, p, p.occupation) for p in await running.select_related("occupation").order_by("id")
    ]


def _levels(places: list[reports.Slot]) -> dict[str, dict[str, str]]:
    """Every level of the occupations the places train for, by code, with its `{zh, en}` name, in order."""
    seen: dict[str, dict[str, str]] = {}
    for place in places:
        for level in place.occupation.levels:
            seen.setdefault(level["code"], {"zh": level["zh"], "en": level["en"]})
    return seen


def _own_levels(place: reports.Slot) -> set[str]:
    return {level["code"] for level in place.occupation.levels}


# A level column of another occupation's levels reads "not applicable" on a programme's row; the upload leaves
# such a cell out, in either language, so a downloaded template goes back up unchanged.
NOT_APPLICABLE = frozenset(translate("sheet.not_applicable", locale) for locale in LOCALES)


async def template(user: User, base_id: int, period_id: str, locale: Locale) -> bytes:
    """One row per programme running in the period, with what is stored (or the carried-over opening)."""
    places = await _places(*await reports.slot_checks(user, base_id, period_id))
    levels = _levels(places)
    keys = [
        "programme_id",
        "cohort",
        *COUNTS,
        *[f"{kind}:{code}" for code in levels for kind in ("assessed", "certified")],
    ]
    labels = [
        translate(f"sheet.{kind}", locale, level=pick(levels.get(code), locale))
        for kind, _, code in (key.partition(":") for key in keys)
    ]
    not_applicable = translate("sheet.not_applicable", locale)
    rows: list[list[object]] = [list[object](labels), list[object](keys)]
    for place in places:
        report = await reports.current(place)
        own = _own_levels(place)
        values: list[object] = [place.programme.id, place.programme.cohort, *(getattr(report, name) for name in COUNTS)]
        for code in levels:
            counts = report.levels.get(code, {})
            values += (
                [counts.get("assessed"), counts.get("certified")] if code in own else [not_applicable, not_applicable]
            )
        rows.append(values)
    return spreadsheets.to_xlsx(rows, period_id)


async def upload(
    user: User, base_id: int, period_id: str, content: bytes, *, apply: bool, locale: Locale
) -> list[RowResult]:
    """Check every row; with `apply`, store them all in one transaction, or nothing if any row has a problem."""
    base, period = await reports.slot_checks(user, base_id, period_id)
    try:
        rows = spreadsheets.read_xlsx(content)
    except spreadsheets.UnreadableSheet:
        raise InvalidInput(errors=[(("body",), "validation.sheet_unreadable")]) from None
    if len(rows) < 2 or not rows[1] or rows[1][0] != "programme_id":
        raise InvalidInput(errors=[(("body",), "validation.sheet_layout")])
    keys = [str(key) if key is not None else "" for key in rows[1]]
    places = {place.programme.id: place for place in await _places(base, period)}
    results: list[tuple[RowResult, reports.Slot | None, ReportIn | None]] = []
    seen: set[int] = set()
    for number, row in enumerate(rows[2:], start=3):
        if all(cell in (None, "") for cell in row):
            continue
        result, place, data = await _check(number, dict(zip(keys, row, strict=False)), keys, places, locale)
        if result.programme_id in seen:
            result.problems.append(
                {"column": "A", "field": "programme_id", "message": translate("validation.sheet_repeated", locale)}
            )
        seen.add(result.programme_id or 0)
        results.append((result, place, data))
    if apply:
        if any(result.problems for result, _, _ in results):
            raise InvalidInput("error.sheet_has_problems")
        async with in_transaction():
            for result, place, data in results:
                assert place is not None and data is not None
                if not result.skipped:
                    await reports.save(user, place, data)
    return [result for result, _, _ in results]


async def _check(
    number: int, cells: dict[str, Any], keys: list[str], places: dict[int, reports.Slot], locale: Locale
) -> tuple[RowResult, reports.Slot | None, ReportIn | None]:
    def column(key: str) -> str:
        return get_column_letter(keys.index(key) + 1) if key in keys else ""

    raw_id = cells.get("programme_id")
    programme_id = (
        int(raw_id) if isinstance(raw_id, int | float) or (isinstance(raw_id, str) and raw_id.isdigit()) else None
    )
    result = RowResult(row=number, programme_id=programme_id)
    place = places.get(programme_id) if programme_id is not None else None
    if place is None:
        result.problems.append(
            {
                "column": column("programme_id"),
                "field": "programme_id",
                "message": translate("validation.sheet_programme", locale),
            }
        )
        return result, None, None
    levels: dict[str, dict[str, Any]] = {}
    own = _own_levels(place)
    for key, value in cells.items():
        kind, _, code = key.partition(":")
        if code and value not in (None, "") and (code in own or value not in NOT_APPLICABLE):
            levels.setdefault(code, {})[kind] = value
    values = {name: cells.get(name) for name in COUNTS if cells.get(name) not in (None, "")}
    try:
        data = ReportIn.model_validate({**values, "levels": levels})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            name = str(error["loc"][0])
            key = f"{error['loc'][2]}:{error['loc'][1]}" if name == "levels" and len(error["loc"]) > 2 else name
            message = translate(
                f"validation.{error['type']}", locale, **{k: str(v) for k, v in (error.get("ctx") or {}).items()}
            )
            result.problems.append({"column": column(key), "field": key, "message": message})
        return result, place, None
    stored = await reports.current(place)
    if not await reports.editable(stored, place):
        result.skipped = translate("sheet.skipped_locked", locale)
        return result, place, data
    trial = await reports.trial(place, data)
    if stored.id is not None and all(getattr(trial, name) == getattr(stored, name) for name in reports.FIELDS):
        result.skipped = translate("sheet.skipped_unchanged", locale)
        return result, place, data
    for rule, name, params in await reports.findings(trial, place):
        key = _sheet_key(name)
        found = {"column": column(key), "field": key, "message": translate(f"rule.{rule.code}", locale, **params)}
        (result.problems if rule.importance == "error" else result.warnings).append(found)
    return result, place, data


def _sheet_key(rule_field: str) -> str:
    """The sheet's column key for a field a rule names: `levels.4.certified` is `certified:4`."""
    head, _, rest = rule_field.partition(".")
    if head != "levels" or not rest:
        return rule_field
    code, _, kind = rest.partition(".")
    return f"{kind or 'assessed'}:{code}"
