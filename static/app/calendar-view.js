// The event list as a month or week calendar (FullCalendar's standard bundle, loaded when first shown).
// Events sit at their own wall-clock time, as the list shows them: the calendar runs in UTC and is handed
// each event's local time in its own zone, so no viewer's zone shifts them.
import { onMounted, onUnmounted, ref, watch } from "./vue.js";
import { api } from "./api.js";
import { i18n, pick } from "./i18n.js";
import { wallClock } from "./format.js";
import { go } from "./router.js";

// On a phone a week's seven time columns are too narrow to read or tap the events in them (WCAG 2.5.8):
// there the week is a list of its days and their events.
const PHONE = matchMedia("(max-width: 600px)").matches;
const VIEW = { month: "dayGridMonth", week: PHONE ? "listWeek" : "timeGridWeek" };
const HEIGHT = { month: "auto", week: PHONE ? "auto" : 640 };
let loading = null;

function script(src) {
  return new Promise((resolve, reject) => {
    const tag = Object.assign(document.createElement("script"), { src, onload: resolve, onerror: reject });
    document.head.append(tag);
  });
}

function fullCalendar() {
  loading ||= script("/static/vendor/fullcalendar/index.global.min.js")
    .then(() => script("/static/vendor/fullcalendar/zh-cn.global.min.js"))
    .then(() => window.FullCalendar);
  return loading;
}

const day = (date) => date.toISOString().slice(0, 10);

// Every event overlapping the shown days that also passes the list's filters (its own from/to included).
async function eventsBetween(filters, start, end) {
  const last = new Date(end.getTime() - 86_400_000);
  const from = [filters.from, day(start)].filter(Boolean).sort().at(-1);
  const to = [filters.to, day(last)].filter(Boolean).sort()[0];
  if (from > to) return [];
  const found = [];
  for (let page = 1; ; page += 1) {
    const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)),
                                        from, to, page, per_page: 200 });
    const answer = await api(`/events?${query}`);
    found.push(...answer.items);
    if (found.length >= answer.total || !answer.items.length) return found;
  }
}

export const CalendarView = {
  props: ["view", "filters"],
  setup(props) {
    const element = ref(null);
    let calendar = null;
    onMounted(async () => {
      const FullCalendar = await fullCalendar();
      if (!element.value) return;  // left the page while the script loaded
      calendar = new FullCalendar.Calendar(element.value, {
        initialView: VIEW[props.view],
        initialDate: props.filters.from || undefined,
        locale: i18n.locale === "en" ? "en" : "zh-cn",
        firstDay: 1,
        timeZone: "UTC",
        height: HEIGHT[props.view],
        scrollTime: "08:00:00",  // the week opens on the working day, the night hours above it
        eventDisplay: "block",  // a titled bar, which wraps on a phone, rather than a dot and a time
        headerToolbar: { start: "prev,next today", center: "title", end: "" },
        eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
        events: (range, done, failed) => eventsBetween(props.filters, range.start, range.end)
          .then((events) => done(events.map((event) => ({
            id: String(event.id),
            title: pick(event.title),
            start: wallClock(event.starts_at, event.timezone),
            end: wallClock(event.ends_at, event.timezone),
            url: `/events/${event.id}`,
            classNames: event.status === "cancelled" ? ["cancelled"] : [],
          }))))
          .catch(failed),
        eventClick: (info) => {
          info.jsEvent.preventDefault();
          go(info.event.url);
        },
        // FullCalendar names a month's day cell by its date alone, which hides the events in it from the name that
        // screen readers announce (and fails WCAG 2.5.3): named by its content, the cell says both.
        dayCellDidMount: ({ el }) => el.removeAttribute("aria-labelledby"),
        // The arrows of "previous"/"next" are images without a text; the buttons are named by their titles.
        datesSet: () => element.value?.querySelectorAll(".fc-icon").forEach((icon) => icon.setAttribute("aria-hidden", "true")),
      });
      calendar.render();
    });
    watch(() => props.view, (view) => {
      calendar?.setOption("height", HEIGHT[view]);
      calendar?.changeView(VIEW[view]);
    });
    watch(() => ({ ...props.filters }), () => calendar?.refetchEvents());
    watch(() => props.filters.from, (from) => from && calendar?.gotoDate(from));  // the calendar opens at "from"
    onUnmounted(() => calendar?.destroy());
    return { element };
  },
  template: `<div ref="element" class="card calendar" data-test="calendar"></div>`,
};
