// How events read on every page: their time span in their own zone, whether they take registrations, the seats left.
import { i18n, t } from "./i18n.js";

// An event's span in its own zone; a day it starts and ends on is said once.
export const when = (event) => span(event, event.timezone);

// One moment as the event's own clock shows it, with the zone named in words (a viewer elsewhere sees the event's
// time): "2026年12月2日 08:47（中国标准时间）".
export function at(instant, event) {
  const options = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
                    timeZone: event.timezone };
  const moment = new Date(instant);
  const zone = new Intl.DateTimeFormat(i18n.locale, { timeZone: event.timezone, timeZoneName: "long" })
    .formatToParts(moment).find((part) => part.type === "timeZoneName").value;
  return t("time.in_zone", { time: new Intl.DateTimeFormat(i18n.locale, options).format(moment), zone });
}

export function seats(event) {
  return ticketSeats(event, event.ticket_types.find((type) => type.is_default) || event.ticket_types[0]);
}

// The state of one ticket type: seats left, open, or full (with or without a waiting list).
export function ticketSeats(event, ticket) {
  if (!ticket || ticket.available === null) return { label: t("seats.open"), kind: "" };
  if (ticket.available > 0) return { label: t("seats.left", { n: ticket.available }), kind: "" };
  return event.waitlist_enabled ? { label: t("seats.waitlist"), kind: "wait" } : { label: t("seats.full"), kind: "full" };
}

// A session's (or an event's) span in the event's own zone; the day is said once when it starts and ends on the
// same day.
export function span(session, timeZone) {
  const format = new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium", timeStyle: "short", timeZone });
  return format.formatRange(new Date(session.starts_at), new Date(session.ends_at));
}

// One instant in the reader's language and time zone ("2027年3月10日 18:00").
export const instant = (iso) => new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));

// "2030-03-18T09:00:00": the moment's wall-clock time in a zone, for widgets that must not shift it again.
export function wallClock(moment, timeZone) {
  const options = { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
                    hour: "2-digit", minute: "2-digit", second: "2-digit" };
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", options).formatToParts(new Date(moment))
    .map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

// Whether the event takes registrations now: null if it does, else why not (a label for a badge or a notice).
// The server judges it (`registration`, from Event.window in events/models.py); this only words it.
export function closed(event) {
  if (event.status === "draft") return { label: t("event.draft"), kind: "wait" };
  const why = {
    cancelled: { label: t("event.cancelled"), kind: "full" },
    ended: { label: t("event.ended"), kind: "ended" },
    closed: { label: t("event.registration_closed"), kind: "full" },
    not_yet: { label: t("event.registration_not_open", { at: at(event.registration_opens_at, event) }), kind: "wait" },
  };
  return why[event.registration] || null;
}

// The one badge a listed event wears: why it takes no registrations, else its seats.
export const standing = (event) => closed(event) || seats(event);

// Today's date in the visitor's zone, as a date input holds it (YYYY-MM-DD).
export function today(now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
