"""Registrations exported as CSV or XLSX, with question answers, in the organiser's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from events.models import Question, TicketType
from events.schemas import RegistrationOut
from server.i18n import pick, translate
from server.settings import Locale

COLUMNS = ("id", "status", "name", "email", "ticket_type", "waitlist_position", "created_at", "checked_in_at", "reason")


def table(
    registrations: list[RegistrationOut],
    questions: list[Question],
    ticket_types: list[TicketType],
    locale: Locale,
    zone: str,
) -> list[list[object]]:
    """Header and rows: fixed columns, then one column per question, labels and values in `locale`."""
    names = {t.id: pick({"zh": t.name_zh, "en": t.name_en}, locale) for t in ticket_types}
    header: list[object] = [translate(f"export.{column}", locale) for column in COLUMNS]
    header += [pick({"zh": q.label_zh, "en": q.label_en}, locale) for q in questions]
    rows = [header]
    for r in registrations:
        row: list[object] = [
            str(r.id),
            translate(f"status.{r.status.value}", locale),
            r.name,
            r.email,
            names.get(r.ticket_type, ""),
            r.waitlist_position,
            _local(r.created_at, zone),
            _local(r.checked_in_at, zone),
            r.reason,
        ]
        row += [_answer(q, r.answers.get(q.key), locale) for q in questions]
        rows.append(row)
    return rows


def _local(moment: datetime | None, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if moment else ""


def _answer(question: Question, value: object, locale: Locale) -> object:
    if value is None:
        return ""
    labels = {str(c["key"]): pick({"zh": str(c["zh"]), "en": str(c.get("en") or "")}, locale) for c in question.choices}
    if isinstance(value, list):
        return "; ".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, bool):
        return translate("export.yes" if value else "export.no", locale)
    return labels.get(str(value), value) if labels else value
