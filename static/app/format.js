// How events read on every page: their time span in their own zone, and the seats left.
import { i18n, t } from "./i18n.js";

export function when(event) {
  const options = { dateStyle: "medium", timeStyle: "short", timeZone: event.timezone };
  const format = new Intl.DateTimeFormat(i18n.locale, options);
  return `${format.format(new Date(event.starts_at))} – ${format.format(new Date(event.ends_at))}`;
}

export function seats(event) {
  const ticket = event.ticket_types.find((type) => type.is_default) || event.ticket_types[0];
  if (!ticket || ticket.available === null) return { label: t("seats.open"), kind: "" };
  if (ticket.available > 0) return { label: t("seats.left", { n: ticket.available }), kind: "" };
  return event.waitlist_enabled ? { label: t("seats.waitlist"), kind: "wait" } : { label: t("seats.full"), kind: "full" };
}
