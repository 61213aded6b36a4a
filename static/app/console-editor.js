// The event editor: create a draft for an organisation (?org=) or edit one; once the event exists, its agenda,
// ticket types, quotas and registration questions below. A failed save keeps every field as typed.
import { reactive, ref, computed, onMounted, watch, onUnmounted } from "./vue.js";
import { api } from "./api.js";
import { t, pick } from "./i18n.js";
import { me } from "./account.js";
import { route } from "./router.js";
import { I18nInputs, showFailure, fieldError, toInstant, toLocalInput, ZonePicker } from "./console-fields.js";
import { AgendaSection, TicketsSection, QuotasSection, QuestionsSection } from "./console-sections.js";
import { PrivacySection } from "./console-privacy.js";
import { eventKinds, loadEventKinds } from "./kinds.js";

const DEFAULT_ZONE = "Asia/Shanghai";
// The paths this form shows next to an input; anything else the API says goes into the banner.
const SHOWN = [
  "kind", "title", "summary", "description", "region", "tags", "venue", "online_url", "starts_at", "ends_at", "timezone",
  "registration_opens_at", "registration_closes_at", "capacity", "requires_approval", "waitlist_enabled", "offer_hours",
  "alarm_minutes", "reminder_hours", "sms_notices", "agenda_in_calendar", "static_entry_code",
];
const SMS_NOTICES = ["approval", "offer", "reminder", "cancellation"];  // notifications.models.SmsNotice
const TIMES = ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"];

function blankForm() {
  return {
    kind: "forum", title: { zh: "", en: "" }, summary: { zh: "", en: "" }, description: "", region: "", tags: [],
    venue: "", online_url: "", starts_at: "", ends_at: "", timezone: DEFAULT_ZONE, registration_opens_at: "",
    registration_closes_at: "", capacity: "", requires_approval: false, waitlist_enabled: true, offer_hours: 48,
    alarm_minutes: 60, reminder_hours: "24, 1", sms_notices: [], agenda_in_calendar: false, static_entry_code: true,
  };
}

function formOf(event) {
  const zone = event.timezone || DEFAULT_ZONE;
  return {
    ...blankForm(),
    ...Object.fromEntries(Object.keys(blankForm()).map((name) => [name, event[name]])),
    title: { zh: event.title.zh || "", en: event.title.en || "" },
    summary: { zh: event.summary.zh || "", en: event.summary.en || "" },
    timezone: zone,
    capacity: event.capacity ?? "",
    alarm_minutes: event.alarm_minutes ?? "",
    reminder_hours: event.reminder_hours.join(", "),
    sms_notices: [...event.sms_notices],
    ...Object.fromEntries(TIMES.map((name) => [name, toLocalInput(event[name], zone)])),
  };
}

// Numbers as numbers; anything else is sent as typed so that the API names what is wrong with it.
const number = (value) => (value === "" || value === null ? null : Number.isNaN(Number(value)) ? value : Number(value));

function bodyOf(form) {
  const body = {
    ...form,
    capacity: number(form.capacity),
    offer_hours: number(form.offer_hours),
    alarm_minutes: number(form.alarm_minutes),
    reminder_hours: form.reminder_hours.split(/[,，\s]+/).filter(Boolean).map(number),
  };
  for (const name of TIMES) body[name] = toInstant(form[name], form.timezone);
  for (const name of ["starts_at", "ends_at"]) if (body[name] === null) delete body[name];  // "required", not "not a time"
  return body;
}

export const EventEditor = {
  props: ["id", "go"],
  components: { I18nInputs, ZonePicker, AgendaSection, TicketsSection, QuotasSection, QuestionsSection, PrivacySection },
  setup(props) {
    const form = reactive(blankForm());
    const event = ref(null);
    const regions = ref([]);
    const domains = ref([]);
    const state = reactive({ errors: {}, banner: "", done: route.query.get("created") ? t("console.created") : "" });
    const saving = ref(false);
    const preview = ref("");
    const organisation = props.id ? null : Number(route.query.get("org")) || null;

    async function reload() {
      event.value = await api(`/events/${props.id}`);
    }
    onMounted(async () => {
      try {
        [regions.value, domains.value] = await Promise.all([api("/regions"), api("/domains"), loadEventKinds()]);
        if (props.id) {
          await reload();
          Object.assign(form, formOf(event.value));
          preview.value = event.value.description_html;
        } else if (!organisation) {
          state.banner = t("console.no_organisation");
        }
      } catch (error) {
        showFailure(error, state, SHOWN);
      }
    });

    let timer = null;
    watch(() => form.description, (text) => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          preview.value = text.trim() ? (await api("/markdown", { method: "POST", body: { text } })).html : "";
          delete state.errors.description;
        } catch (error) {
          showFailure(error, state, SHOWN);
        }
      }, 300);
    });
    onUnmounted(() => clearTimeout(timer));

    // Quotas and tickets change seats: the capacity field follows, and nothing else typed is touched.
    async function changed() {
      await reload();
      form.capacity = event.value.capacity ?? "";
    }

    async function save() {
      saving.value = true;
      state.errors = {};
      state.banner = state.done = "";
      try {
        if (props.id) {
          event.value = await api(`/events/${props.id}`, { method: "PATCH", body: bodyOf(form) });
          Object.assign(form, formOf(event.value));
          state.done = t("console.saved");
        } else {
          const created = await api("/events", {
            method: "POST", body: { ...bodyOf(form), organisation_id: organisation },
          });
          props.go(`/console/events/${created.id}/edit?created=1`);
        }
      } catch (error) {
        showFailure(error, state, SHOWN);
      } finally {
        saving.value = false;
      }
    }
    const err = (name) => fieldError(state.errors, name);
    const described = (name) => (err(name) ? `e-${name}-error` : null);
    const editable = computed(() => !event.value || ["draft", "published"].includes(event.value.status));
    return {
      form, event, regions, domains, state, saving, preview, save, changed, err, described, editable, me,
      kinds: eventKinds, SMS_NOTICES, t, pick,
    };
  },
  template: `
    <h1 v-if="!me.user">{{ id ? t("console.edit_heading") : t("console.new_heading") }}</h1>
    <p v-if="!me.user" class="banner" role="alert">{{ t("console.sign_in") }}
      <a href="/login" @click.prevent="go('/login')">{{ t("nav.login") }}</a></p>
    <div v-else class="console-editor">
      <p><a href="/console" @click.prevent="go('/console')">← {{ t("console.heading") }}</a></p>
      <h1>{{ id ? t("console.edit_heading") : t("console.new_heading") }}</h1>
      <p v-if="event && !editable" class="banner" role="alert">{{ t("console.closed", { status: t("console.status." + event.status) }) }}</p>
      <form class="card" @submit.prevent="save" novalidate>
        <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
        <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>

        <label for="e-kind">{{ t("console.field.kind") }}</label>
        <select id="e-kind" v-model="form.kind" :aria-describedby="described('kind')">
          <option v-for="kind in kinds" :value="kind.code">{{ pick(kind.name) }}</option>
        </select>
        <div v-if="err('kind')" id="e-kind-error" class="field-error">{{ err("kind") }}</div>

        <I18nInputs v-model="form.title" name="title" :label="t('console.field.title')" :errors="state.errors" required />
        <I18nInputs v-model="form.summary" name="summary" :label="t('console.field.summary')" :errors="state.errors" />

        <div class="markdown-pair">
          <div>
            <label for="e-description">{{ t("console.field.description") }}</label>
            <textarea id="e-description" v-model="form.description" rows="10" :aria-describedby="described('description')"></textarea>
            <div v-if="err('description')" id="e-description-error" class="field-error">{{ err("description") }}</div>
          </div>
          <div>
            <div class="label" id="e-preview-label">{{ t("console.preview") }}</div>
            <div class="markdown-preview" role="region" aria-labelledby="e-preview-label" aria-live="polite"
                 data-test="preview" v-html="preview"></div>
          </div>
        </div>

        <label for="e-region">{{ t("console.field.region") }}</label>
        <select id="e-region" v-model="form.region" :aria-describedby="described('region')">
          <option value="" disabled>{{ t("console.choose") }}</option>
          <option v-for="r in regions" :value="r.code">{{ pick(r.name) }}</option>
        </select>
        <div v-if="err('region')" id="e-region-error" class="field-error">{{ err("region") }}</div>

        <fieldset class="checks" :aria-describedby="described('tags')">
          <legend>{{ t("console.field.tags") }}</legend>
          <label v-for="d in domains" :key="d.code"><input type="checkbox" :value="d.code" v-model="form.tags"> {{ pick(d.name) }}</label>
        </fieldset>
        <div v-if="err('tags')" id="e-tags-error" class="field-error">{{ err("tags") }}</div>

        <label for="e-venue">{{ t("console.field.venue") }}</label>
        <input id="e-venue" v-model="form.venue" :aria-describedby="described('venue')">
        <div v-if="err('venue')" id="e-venue-error" class="field-error">{{ err("venue") }}</div>
        <label for="e-online_url">{{ t("console.field.online_url") }}</label>
        <input id="e-online_url" v-model="form.online_url" type="url" placeholder="https://" :aria-describedby="described('online_url')">
        <div v-if="err('online_url')" id="e-online_url-error" class="field-error">{{ err("online_url") }}</div>

        <div class="grid-2">
          <div v-for="name in ['starts_at', 'ends_at', 'registration_opens_at', 'registration_closes_at']" :key="name">
            <label :for="'e-' + name">{{ t("console.field." + name) }}</label>
            <input :id="'e-' + name" v-model="form[name]" type="datetime-local" :aria-describedby="described(name)">
            <div v-if="err(name)" :id="'e-' + name + '-error'" class="field-error">{{ err(name) }}</div>
          </div>
        </div>
        <label for="e-timezone">{{ t("console.field.timezone") }}</label>
        <ZonePicker id="e-timezone" v-model="form.timezone" :describedby="described('timezone')" />
        <div v-if="err('timezone')" id="e-timezone-error" class="field-error">{{ err("timezone") }}</div>

        <label for="e-capacity">{{ t("console.field.capacity") }}</label>
        <input id="e-capacity" v-model="form.capacity" type="number" min="1" inputmode="numeric"
               :placeholder="t('console.unlimited')" :aria-describedby="described('capacity')">
        <div v-if="err('capacity')" id="e-capacity-error" class="field-error">{{ err("capacity") }}</div>
        <label class="check"><input type="checkbox" v-model="form.requires_approval"> {{ t("console.field.requires_approval") }}</label>
        <label class="check"><input type="checkbox" v-model="form.waitlist_enabled"> {{ t("console.field.waitlist_enabled") }}</label>
        <template v-if="form.waitlist_enabled">
          <label for="e-offer_hours">{{ t("console.field.offer_hours") }}</label>
          <input id="e-offer_hours" v-model="form.offer_hours" type="number" min="1" max="720" :aria-describedby="described('offer_hours')">
          <div v-if="err('offer_hours')" id="e-offer_hours-error" class="field-error">{{ err("offer_hours") }}</div>
        </template>

        <label for="e-alarm_minutes">{{ t("console.field.alarm_minutes") }}</label>
        <input id="e-alarm_minutes" v-model="form.alarm_minutes" type="number" min="0" :placeholder="t('console.none')"
               :aria-describedby="described('alarm_minutes')">
        <div v-if="err('alarm_minutes')" id="e-alarm_minutes-error" class="field-error">{{ err("alarm_minutes") }}</div>
        <label for="e-reminder_hours">{{ t("console.field.reminder_hours") }}</label>
        <input id="e-reminder_hours" v-model="form.reminder_hours" inputmode="numeric" :aria-describedby="described('reminder_hours')">
        <div v-if="err('reminder_hours')" id="e-reminder_hours-error" class="field-error">{{ err("reminder_hours") }}</div>
        <fieldset class="sms-notices" :aria-describedby="'e-sms_notices-hint' + (err('sms_notices') ? ' e-sms_notices-error' : '')">
          <legend>{{ t("console.field.sms_notices") }}</legend>
          <label v-for="notice in SMS_NOTICES" :key="notice" class="check">
            <input type="checkbox" name="sms_notices" :value="notice" v-model="form.sms_notices"> {{ t("console.sms." + notice) }}
          </label>
          <p id="e-sms_notices-hint" class="muted">{{ t("console.sms.hint") }}</p>
          <div v-if="err('sms_notices')" id="e-sms_notices-error" class="field-error">{{ err("sms_notices") }}</div>
        </fieldset>
        <label class="check"><input type="checkbox" v-model="form.agenda_in_calendar"> {{ t("console.field.agenda_in_calendar") }}</label>
        <label class="check"><input type="checkbox" v-model="form.static_entry_code"> {{ t("console.field.static_entry_code") }}</label>

        <button type="submit" :disabled="saving || !editable">{{ saving ? t("console.saving") : id ? t("console.save") : t("console.create") }}</button>
      </form>

      <template v-if="event">
        <AgendaSection :event="event" />
        <TicketsSection :event="event" @changed="changed" />
        <QuotasSection :event="event" @changed="changed" />
        <QuestionsSection :event="event" @changed="changed" />
        <PrivacySection :event="event" />
      </template>
    </div>`,
};
