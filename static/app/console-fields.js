// Pieces the console's forms share: zh + en inputs side by side, field errors by API path, and wall-clock
// times in an event's own time zone.
import { ref, computed } from "./vue.js";
import { ApiError } from "./api.js";
import { i18n, t } from "./i18n.js";

// Put an API failure on the form: messages by field path, and a banner for 409s, for failures that name no
// field, and for fields this form does not show (`shown` lists the paths or path prefixes it does).
export function showFailure(error, state, shown) {
  if (!(error instanceof ApiError)) {
    state.banner = t("error.network");
    return;
  }
  state.errors = error.fields;
  const stray = Object.keys(error.fields).filter((key) => !shown.some((name) => key === name || key.startsWith(name + ".")));
  if (error.problem.status === 409 || !Object.keys(error.fields).length) state.banner = error.problem.detail;
  else if (stray.length) state.banner = stray.map((key) => (key ? `${key}: ` : "") + error.fields[key]).join("；");
}

// Run one form's request: its messages cleared first, its buttons disabled meanwhile (`state.busy`, so a double
// click sends once), a failure put on the form. Resolves to the answer (true for an empty one), or null on failure.
export async function attempt(state, shown, request) {
  if (state.busy) return null;
  Object.assign(state, { busy: true, errors: {}, banner: "", done: "" });
  try {
    return (await request()) ?? true;
  } catch (error) {
    showFailure(error, state, shown);
    return null;
  } finally {
    state.busy = false;
  }
}

// The message for a field, or for any part of it (`tags` shows the error of `tags.2`).
export function fieldError(errors, name) {
  if (errors[name]) return errors[name];
  const part = Object.keys(errors).find((key) => key.startsWith(name + "."));
  return part ? errors[part] : "";
}

// Chinese (required) and English (optional) versions of one text, each with its own label and error.
export const I18nInputs = {
  props: { modelValue: Object, name: String, label: String, errors: Object, required: Boolean, prefix: String },
  emits: ["update:modelValue"],
  setup(props, { emit }) {
    const update = (lang, value) => emit("update:modelValue", { ...props.modelValue, [lang]: value });
    const id = (lang) => `${props.prefix || "e"}-${props.name}-${lang}`;
    return { update, id, t };
  },
  template: `
    <div class="i18n-pair">
      <div v-for="lang in ['zh', 'en']" :key="lang">
        <label :for="id(lang)">{{ label }}（{{ t("console.lang." + lang) }}）<span v-if="lang === 'zh' && required"> *</span></label>
        <input :id="id(lang)" :value="modelValue[lang]" @input="update(lang, $event.target.value)"
               :required="lang === 'zh' && required" :aria-invalid="!!errors[name + '.' + lang]"
               :aria-describedby="errors[name + '.' + lang] ? id(lang) + '-error' : null">
        <div v-if="errors[name + '.' + lang]" :id="id(lang) + '-error'" class="field-error">{{ errors[name + "." + lang] }}</div>
      </div>
    </div>`,
};

function wallClock(instant, zone) {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
  return Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
}

// "2030-03-18T09:00" read in `zone` → an ISO instant; empty stays null.
export function toInstant(local, zone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || "");
  if (!match) return local ? local : null;  // let the API say what is wrong with it
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offset = (at) => {
    const c = wallClock(new Date(at), zone);
    return Date.UTC(+c.year, +c.month - 1, +c.day, +c.hour, +c.minute) - at;
  };
  const guess = wall - offset(wall);
  return new Date(wall - offset(guess)).toISOString();  // the second look settles days when clocks change
}

// An ISO instant → the "YYYY-MM-DDTHH:MM" a datetime-local input shows, in `zone`.
export function toLocalInput(iso, zone) {
  if (!iso) return "";
  const c = wallClock(new Date(iso), zone);
  return `${c.year}-${c.month}-${c.day}T${c.hour}:${c.minute}`;
}

// The zones organisers here pick most, each named in the catalogue ("zone.Asia/Shanghai": 北京、上海), the city's
// first; every other zone the browser knows follows under them, found by a search of its name.
const COMMON_ZONES = [
  "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
  "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC",
];
const OTHER_ZONES = (Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : []).filter((zone) => !COMMON_ZONES.includes(zone));

// A zone's name in words in the page's language ("中国标准时间"), or "" where the browser has none.
const zoneNames = new Map();
function zoneName(zone) {
  const key = `${i18n.locale}|${zone}`;
  if (!zoneNames.has(key)) {
    const parts = new Intl.DateTimeFormat(i18n.locale, { timeZone: zone, timeZoneName: "long" }).formatToParts(new Date());
    const name = parts.find((part) => part.type === "timeZoneName")?.value || "";
    zoneNames.set(key, /^GMT|^UTC/.test(name) ? "" : name);  // "GMT+03:00" says nothing the offset list does not
  }
  return zoneNames.get(key);
}

// The event's time zone: a select of the common zones, then the others that match the search box.
export const ZonePicker = {
  props: { modelValue: String, id: String, describedby: String },
  emits: ["update:modelValue"],
  setup(props) {
    const search = ref("");
    const label = (zone, name) => (zoneName(zone) ? `${name}（${zoneName(zone)}）` : name);
    const common = computed(() => COMMON_ZONES.map((zone) => ({ zone, label: label(zone, t("zone." + zone)) })));
    const others = computed(() => {
      const words = search.value.trim().toLowerCase().replaceAll(" ", "_");
      return OTHER_ZONES
        .filter((zone) => zone === props.modelValue || !words || zone.toLowerCase().includes(words) || zoneName(zone).toLowerCase().includes(words))
        .map((zone) => ({ zone, label: label(zone, zone.replaceAll("_", " ")) }));
    });
    const unknown = computed(() => props.modelValue && !COMMON_ZONES.includes(props.modelValue) && !OTHER_ZONES.includes(props.modelValue));
    return { search, common, others, unknown, t };
  },
  template: `
    <select :id="id" :value="modelValue" @change="$emit('update:modelValue', $event.target.value)" :aria-describedby="describedby">
      <optgroup :label="t('zone.common')">
        <option v-for="z in common" :key="z.zone" :value="z.zone">{{ z.label }}</option></optgroup>
      <optgroup :label="t('zone.others', { n: others.length })">
        <option v-for="z in others" :key="z.zone" :value="z.zone">{{ z.label }}</option></optgroup>
      <option v-if="unknown" :value="modelValue">{{ modelValue }}</option>
    </select>
    <label :for="id + '-search'">{{ t("zone.search") }}</label>
    <input :id="id + '-search'" v-model="search" type="search" :placeholder="t('zone.search_hint')">`,
};
