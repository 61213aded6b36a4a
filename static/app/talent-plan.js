// The plan the reports answer to, kept by the bureau (and a base's managers, for their programmes): programmes at
// training bases with the training events that evidence them, reporting periods and their lock exceptions, yearly
// targets, and the cross-check of received reports against registrations and check-ins.
// Paths: /talent/programmes, /talent/periods, /talent/targets, /talent/evidence. Every page works on the talent API
// as it is (talent/routes.py); field errors come back by field and are shown under their inputs.
import { ref, reactive, computed, watch, onMounted } from "./vue.js";
import { api, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { me } from "./account.js";
import { go, route } from "./router.js";
import { attempt, toInstant } from "./console-fields.js";
import { cityToday } from "./talent-report.js";
import { when } from "./format.js";

const CITY_ZONE = "Asia/Shanghai";  // periods, due and lock days are the city's
const METRICS = ["enrolled", "completed", "employed", "certified"];
const MAX_BASES = 200;
export const PLAN_PAGES = ["programmes", "periods", "targets", "evidence"];

// One labelled input (a select when given `options`, [value, text] pairs) with the API's error for its field under
// it, tied to it by aria-describedby. Inputs give strings; the page's submit turns numbers into numbers.
const PlanField = {
  props: { modelValue: [String, Number], name: String, label: String, errors: Object, form: String,
           type: { type: String, default: "text" }, options: Array, attrs: Object },
  emits: ["update:modelValue"],
  setup(props) {
    const id = computed(() => `${props.form}-${props.name}`);
    const message = computed(() => props.errors[props.name] || "");
    return { id, message };
  },
  template: `
    <div class="plan-field">
      <label :for="id">{{ label }}</label>
      <select v-if="options" :id="id" :value="modelValue" @change="$emit('update:modelValue', $event.target.value)"
              :aria-invalid="!!message" :aria-describedby="message ? id + '-error' : null">
        <option v-for="[value, text] in options" :key="value" :value="value">{{ text }}</option></select>
      <input v-else :id="id" :type="type" :value="modelValue" @input="$emit('update:modelValue', $event.target.value)"
             v-bind="attrs" :aria-invalid="!!message" :aria-describedby="message ? id + '-error' : null">
      <div v-if="message" :id="id + '-error'" class="field-error">{{ message }}</div>
    </div>`,
};

// A form's state for attempt(): its field errors, a banner for what names no field, a note of what was done.
const formState = () => reactive({ busy: false, errors: {}, banner: "", done: "" });

// What the pages name things by: occupations by code, training bases by id (all for the bureau; a manager's own).
function usePlan() {
  const occupations = ref([]);
  const bases = ref([]);
  const banner = ref("");
  const loading = ref(true);
  const admin = computed(() => !!me.user?.is_admin);
  async function load(more = async () => {}) {
    try {
      let basesLoaded;
      if (admin.value) {
        basesLoaded = api(`/organisations?kind=training_base&per_page=${MAX_BASES}`).then((page) => page.items);
      } else {
        const managed = (me.user?.memberships || []).filter((m) => m.role === "manager").map((m) => m.organisation_id);
        basesLoaded = Promise.all(managed.map((id) => api(`/organisations/${id}`)))
          .then((found) => found.filter((o) => o.kind === "training_base"));
      }
      [occupations.value, bases.value] = await Promise.all([api("/talent/occupations"), basesLoaded, more()]);
    } catch (error) {
      banner.value = failure(error);
    } finally {
      loading.value = false;
    }
  }
  const occupation = (code) => occupations.value.find((o) => o.code === code);
  const occupationName = (code) => pick(occupation(code)?.name) || code;
  const levelName = (code, level) => pick(occupation(code)?.levels.find((l) => l.code === level)) || level;
  const baseName = (id) => pick(bases.value.find((b) => b.id === id)?.name) || `#${id}`;
  return { occupations, bases, banner, loading, admin, load, occupation, occupationName, levelName, baseName };
}

const PlanNav = {
  setup() {
    return { pages: PLAN_PAGES, route, t, go };
  },
  template: `
    <nav class="talent-links plan-nav" :aria-label="t('talent.plan.nav')">
      <a href="/talent" @click.prevent="go('/talent')">{{ t("talent.home.heading") }}</a>
      <a v-for="name in pages" :key="name" :href="'/talent/' + name" @click.prevent="go('/talent/' + name)"
         :aria-current="route.path === '/talent/' + name ? 'page' : null">{{ t("talent.plan." + name) }}</a>
    </nav>`,
};

// The training events a programme names as its evidence: published training events to tick, saved at once.
const EventLinks = {
  props: ["programme", "events"],
  emits: ["saved"],
  components: { PlanField },
  setup(props, { emit }) {
    const chosen = ref([...props.programme.event_ids]);
    const state = formState();
    const listed = computed(() => new Set(props.events.map((e) => e.id)));
    const unlisted = computed(() => chosen.value.filter((id) => !listed.value.has(id)));
    async function save() {
      const saved = await attempt(state, ["event_ids"], () =>
        api(`/talent/programmes/${props.programme.id}/events`, { method: "PUT", body: { event_ids: chosen.value } }));
      if (saved) {
        state.done = t("talent.plan.events_saved", { n: saved.event_ids.length });
        emit("saved", saved);
      }
    }
    return { chosen, state, unlisted, save, when, t, pick };
  },
  template: `
    <form class="plan-links" @submit.prevent="save" novalidate>
      <fieldset class="talent-fields" :aria-describedby="state.errors.event_ids ? 'links-' + programme.id + '-error' : null">
        <legend class="talent-legend">{{ t("talent.plan.events_of", { cohort: programme.cohort }) }}</legend>
        <p v-if="!events.length" class="muted">{{ t("talent.plan.no_training_events") }}</p>
        <label v-for="event in events" :key="event.id" class="check">
          <input type="checkbox" :value="event.id" v-model="chosen"> {{ pick(event.title) }}
          <span class="muted">（#{{ event.id }} · {{ when(event) }}）</span></label>
        <label v-for="id in unlisted" :key="'u' + id" class="check">
          <input type="checkbox" :value="id" v-model="chosen"> {{ t("talent.plan.event_unlisted", { id }) }}</label>
      </fieldset>
      <div v-if="state.errors.event_ids" :id="'links-' + programme.id + '-error'" class="field-error">{{ state.errors.event_ids }}</div>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
      <button type="submit" :disabled="state.busy">{{ t("talent.plan.save_events") }}</button>
    </form>`,
};

const PROGRAMME_FIELDS = ["base_id", "occupation", "target_level", "track", "cohort", "starts_on", "ends_on", "planned_size"];

export const ProgrammesPage = {
  props: ["params"],
  components: { PlanField, PlanNav, EventLinks },
  setup() {
    const plan = usePlan();
    const programmes = ref([]);
    const events = ref([]);
    const editing = ref(null);
    const state = formState();
    const year = cityToday().slice(0, 4);
    const blank = () => ({ base_id: "", occupation: "", target_level: "", track: "", cohort: "",
                           starts_on: `${year}-01-01`, ends_on: `${year}-12-31`, planned_size: "" });
    const form = reactive(blank());
    const levels = computed(() => plan.occupation(form.occupation)?.levels || []);
    const tracks = computed(() => plan.occupation(form.occupation)?.tracks || []);
    watch(() => form.occupation, () => { form.target_level = ""; form.track = ""; });
    onMounted(async () => {
      await plan.load(async () => {
        [programmes.value, events.value] = await Promise.all([
          api("/talent/programmes"),
          api(`/events?kind=training&per_page=${MAX_BASES}`).then((page) => page.items),
        ]);
      });
      if (plan.bases.value.length === 1) form.base_id = plan.bases.value[0].id;  // a manager's only base
    });
    async function create() {
      const body = { ...form, base_id: form.base_id === "" ? null : Number(form.base_id),
                     planned_size: form.planned_size === "" ? null : Number(form.planned_size) };
      const created = await attempt(state, PROGRAMME_FIELDS, () => api("/talent/programmes", { method: "POST", body }));
      if (!created) return;
      programmes.value = [...programmes.value, created];
      state.done = t("talent.plan.programme_created", { cohort: created.cohort });
      Object.assign(form, blank(), { base_id: form.base_id });
    }
    function linked(saved) {
      programmes.value = programmes.value.map((p) => (p.id === saved.id ? saved : p));
    }
    return { ...plan, programmes, events, editing, state, form, levels, tracks, create, linked, t, pick };
  },
  template: `
    <h1>{{ t("talent.plan.programmes") }}</h1>
    <PlanNav />
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <p v-if="!loading && !bases.length" class="card muted">{{ t("talent.plan.no_managed_base") }}</p>
    <form v-if="bases.length" class="card" @submit.prevent="create" novalidate aria-labelledby="new-programme">
      <h2 id="new-programme">{{ t("talent.plan.new_programme") }}</h2>
      <div class="grid-2">
        <PlanField v-model="form.base_id" name="base_id" :label="t('talent.dash.base')" :errors="state.errors" form="p"
                   :options="[['', t('talent.plan.choose')], ...bases.map((b) => [b.id, pick(b.name)])]" />
        <PlanField v-model="form.occupation" name="occupation" :label="t('talent.dash.occupation')" :errors="state.errors" form="p"
                   :options="[['', t('talent.plan.choose')], ...occupations.map((o) => [o.code, pick(o.name) + '（' + o.code + '）'])]" />
        <PlanField v-model="form.target_level" name="target_level" :label="t('talent.plan.target_level')" :errors="state.errors" form="p"
                   :options="[['', t('talent.plan.choose')], ...levels.map((l) => [l.code, pick(l)])]" />
        <PlanField v-model="form.track" name="track" :label="t('talent.plan.track')" :errors="state.errors" form="p"
                   :options="[['', t('talent.plan.no_track')], ...tracks.map((name) => [name, name])]" />
        <PlanField v-model="form.cohort" name="cohort" :label="t('talent.plan.cohort')" :errors="state.errors" form="p"
                   :attrs="{ maxlength: '100' }" />
        <PlanField v-model="form.planned_size" name="planned_size" :label="t('talent.plan.planned_size')" :errors="state.errors" form="p"
                   type="number" :attrs="{ min: '1', inputmode: 'numeric' }" />
        <PlanField v-model="form.starts_on" name="starts_on" :label="t('talent.plan.starts_on')" :errors="state.errors" form="p"
                   type="date" />
        <PlanField v-model="form.ends_on" name="ends_on" :label="t('talent.plan.ends_on')" :errors="state.errors" form="p" type="date" />
      </div>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
      <button type="submit" :disabled="state.busy">{{ t("talent.plan.create_programme") }}</button>
    </form>
    <section class="card">
      <h2>{{ t("talent.plan.programme_list") }}</h2>
      <p v-if="!loading && !programmes.length" class="muted">{{ t("talent.plan.no_programmes") }}</p>
      <div v-else class="talent-scroll" tabindex="0" role="region" :aria-label="t('talent.plan.programme_list')"><table data-test="programmes">
        <thead><tr>
          <th scope="col">{{ t("talent.plan.cohort") }}</th><th scope="col">{{ t("talent.dash.base") }}</th>
          <th scope="col">{{ t("talent.dash.occupation") }}</th><th scope="col">{{ t("talent.plan.target_level") }}</th>
          <th scope="col">{{ t("talent.plan.dates") }}</th><th scope="col">{{ t("talent.plan.planned_size") }}</th>
          <th scope="col">{{ t("talent.plan.events") }}</th>
        </tr></thead>
        <tbody><tr v-for="p in programmes" :key="p.id">
          <th scope="row">{{ p.cohort }}<span v-if="p.track" class="muted"> · {{ p.track }}</span></th>
          <td>{{ baseName(p.base_id) }}</td><td>{{ occupationName(p.occupation) }}</td><td>{{ levelName(p.occupation, p.target_level) }}</td>
          <td>{{ p.starts_on }} – {{ p.ends_on }}</td><td>{{ p.planned_size }}</td>
          <td><button type="button" class="secondary" :aria-expanded="editing === p.id"
                      :aria-label="t('talent.plan.link_events_of', { cohort: p.cohort, n: p.event_ids.length })"
                      @click="editing = editing === p.id ? null : p.id">{{ t("talent.plan.link_events", { n: p.event_ids.length }) }}</button></td>
        </tr></tbody>
      </table></div>
      <template v-for="p in programmes" :key="'links' + p.id">
        <EventLinks v-if="editing === p.id" :programme="p" :events="events" @saved="linked" />
      </template>
    </section>`,
};

export const PeriodsPage = {
  props: ["params"],
  components: { PlanField, PlanNav },
  setup() {
    const plan = usePlan();
    const periods = ref([]);
    const opening = formState();
    const granting = formState();
    const form = reactive({ id: "", due_days: 10, lock_days: 30 });
    const exception = reactive({ period: "", base_id: "", until: "", reason: "" });
    const today = cityToday();
    const sorted = computed(() => [...periods.value].sort((a, b) => b.starts_on.localeCompare(a.starts_on)));
    onMounted(() => plan.load(async () => { periods.value = await api("/talent/periods"); }));
    const number = (value) => (value === "" ? null : Number(value));
    async function open() {
      const body = { id: form.id.trim(), due_days: number(form.due_days), lock_days: number(form.lock_days) };
      const opened = await attempt(opening, ["id", "due_days", "lock_days"], () => api("/talent/periods", { method: "POST", body }));
      if (!opened) return;
      periods.value = [...periods.value, opened];
      opening.done = t("talent.plan.period_opened", { id: opened.id, due: opened.due_on, locks: opened.locks_on });
      form.id = "";
    }
    async function grant() {
      if (!exception.period) {
        granting.errors = { period: t("talent.plan.choose_period") };
        return;
      }
      const body = { base_id: number(exception.base_id), until: toInstant(exception.until, CITY_ZONE), reason: exception.reason };
      const granted = await attempt(granting, ["base_id", "until", "reason"], () =>
        api(`/talent/periods/${encodeURIComponent(exception.period)}/exceptions`, { method: "POST", body }));
      if (!granted) return;
      granting.done = t("talent.plan.exception_granted", { period: exception.period, base: plan.baseName(body.base_id) });
      Object.assign(exception, { until: "", reason: "" });
    }
    return { ...plan, sorted, opening, granting, form, exception, today, open, grant, t, pick };
  },
  template: `
    <h1>{{ t("talent.plan.periods") }}</h1>
    <PlanNav />
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <section class="card">
      <h2>{{ t("talent.plan.period_list") }}</h2>
      <p class="muted">{{ t("talent.plan.period_rule") }}</p>
      <div class="talent-scroll" tabindex="0" role="region" :aria-label="t('talent.plan.period_list')"><table data-test="periods">
        <thead><tr>
          <th scope="col">{{ t("talent.dash.period") }}</th><th scope="col">{{ t("talent.plan.dates") }}</th>
          <th scope="col">{{ t("talent.plan.due_on") }}</th><th scope="col">{{ t("talent.plan.locks_on") }}</th>
          <th scope="col">{{ t("talent.field.status") }}</th>
        </tr></thead>
        <tbody><tr v-for="p in sorted" :key="p.id">
          <th scope="row">{{ p.id }}</th><td>{{ p.starts_on }} – {{ p.ends_on }}</td><td>{{ p.due_on }}</td><td>{{ p.locks_on }}</td>
          <td><span class="badge" :class="{ ended: p.locks_on < today }">{{ t(p.locks_on < today ? "talent.plan.locked" : "talent.plan.open") }}</span></td>
        </tr></tbody>
      </table></div>
    </section>
    <form class="card" @submit.prevent="open" novalidate aria-labelledby="open-period">
      <h2 id="open-period">{{ t("talent.plan.open_period") }}</h2>
      <div class="grid-2">
        <PlanField v-model="form.id" name="id" :label="t('talent.plan.period_id')" :errors="opening.errors" form="o"
                   :attrs="{ placeholder: '2026-03 / 2026Q1', maxlength: '7' }" />
        <div></div>
        <PlanField v-model="form.due_days" name="due_days" :label="t('talent.plan.due_days')" :errors="opening.errors" form="o"
                   type="number" :attrs="{ min: '0', inputmode: 'numeric' }" />
        <PlanField v-model="form.lock_days" name="lock_days" :label="t('talent.plan.lock_days')" :errors="opening.errors" form="o"
                   type="number" :attrs="{ min: '0', inputmode: 'numeric' }" />
      </div>
      <p v-if="opening.banner" class="banner" role="alert">{{ opening.banner }}</p>
      <p v-if="opening.done" class="banner ok" role="status">{{ opening.done }}</p>
      <button type="submit" :disabled="opening.busy">{{ t("talent.plan.open_period") }}</button>
    </form>
    <form class="card" @submit.prevent="grant" novalidate aria-labelledby="grant-exception">
      <h2 id="grant-exception">{{ t("talent.plan.exception") }}</h2>
      <p class="muted">{{ t("talent.plan.exception_rule") }}</p>
      <div class="grid-2">
        <PlanField v-model="exception.period" name="period" :label="t('talent.dash.period')" :errors="granting.errors" form="x"
                   :options="[['', t('talent.plan.choose')], ...sorted.map((p) => [p.id, p.id])]" />
        <PlanField v-model="exception.base_id" name="base_id" :label="t('talent.dash.base')" :errors="granting.errors" form="x"
                   :options="[['', t('talent.plan.choose')], ...bases.map((b) => [b.id, pick(b.name)])]" />
        <PlanField v-model="exception.until" name="until" :label="t('talent.plan.until')" :errors="granting.errors" form="x"
                   type="datetime-local" />
        <PlanField v-model="exception.reason" name="reason" :label="t('talent.plan.reason')" :errors="granting.errors" form="x"
                   :attrs="{ maxlength: '500' }" />
      </div>
      <p v-if="granting.banner" class="banner" role="alert">{{ granting.banner }}</p>
      <p v-if="granting.done" class="banner ok" role="status">{{ granting.done }}</p>
      <button type="submit" :disabled="granting.busy">{{ t("talent.plan.grant") }}</button>
    </form>`,
};

export const TargetsPage = {
  props: ["params"],
  components: { PlanField, PlanNav },
  setup() {
    const plan = usePlan();
    const targets = ref([]);
    const state = formState();
    const form = reactive({ year: Number(cityToday().slice(0, 4)), occupation: "", level: "", base_id: "", metric: "enrolled", value: "" });
    const levels = computed(() => plan.occupation(form.occupation)?.levels || []);
    onMounted(() => plan.load(async () => { targets.value = await api("/talent/targets"); }));
    const progress = (target) => (target.value ? `${Math.round((100 * target.actual) / target.value)}%` : "—");
    async function add() {
      const body = { ...form, year: form.year === "" ? null : Number(form.year), value: form.value === "" ? null : Number(form.value),
                     base_id: form.base_id === "" ? null : Number(form.base_id) };
      const added = await attempt(state, ["year", "occupation", "level", "base_id", "metric", "value"], () =>
        api("/talent/targets", { method: "POST", body }));
      if (!added) return;
      targets.value = [...targets.value, added];
      state.done = t("talent.plan.target_added");
      form.value = "";
    }
    return { ...plan, targets, state, form, levels, progress, add, METRICS, t, pick };
  },
  template: `
    <h1>{{ t("talent.plan.targets") }}</h1>
    <PlanNav />
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <section class="card">
      <h2>{{ t("talent.plan.target_list") }}</h2>
      <p v-if="!loading && !targets.length" class="muted">{{ t("talent.plan.no_targets") }}</p>
      <div v-else class="talent-scroll" tabindex="0" role="region" :aria-label="t('talent.plan.target_list')"><table data-test="targets">
        <thead><tr>
          <th scope="col">{{ t("talent.plan.year") }}</th><th scope="col">{{ t("talent.dash.base") }}</th>
          <th scope="col">{{ t("talent.dash.occupation") }}</th><th scope="col">{{ t("talent.plan.level") }}</th>
          <th scope="col">{{ t("talent.plan.metric") }}</th><th scope="col">{{ t("talent.dash.target_value") }}</th>
          <th scope="col">{{ t("talent.dash.actual") }}</th><th scope="col">{{ t("talent.plan.progress") }}</th>
        </tr></thead>
        <tbody><tr v-for="g in targets" :key="g.id">
          <th scope="row">{{ g.year }}</th><td>{{ g.base_id ? baseName(g.base_id) : t("talent.dash.city") }}</td>
          <td>{{ occupationName(g.occupation) }}</td><td>{{ g.level ? levelName(g.occupation, g.level) : "—" }}</td>
          <td>{{ t("talent.metric." + g.metric) }}</td><td>{{ g.value }}</td><td>{{ g.actual }}</td><td>{{ progress(g) }}</td>
        </tr></tbody>
      </table></div>
    </section>
    <form class="card" @submit.prevent="add" novalidate aria-labelledby="new-target">
      <h2 id="new-target">{{ t("talent.plan.new_target") }}</h2>
      <div class="grid-2">
        <PlanField v-model="form.year" name="year" :label="t('talent.plan.year')" :errors="state.errors" form="g"
                   type="number" :attrs="{ min: '2000', max: '2100', inputmode: 'numeric' }" />
        <PlanField v-model="form.base_id" name="base_id" :label="t('talent.dash.base')" :errors="state.errors" form="g"
                   :options="[['', t('talent.dash.city')], ...bases.map((b) => [b.id, pick(b.name)])]" />
        <PlanField v-model="form.occupation" name="occupation" :label="t('talent.dash.occupation')" :errors="state.errors" form="g"
                   :options="[['', t('talent.plan.choose')], ...occupations.map((o) => [o.code, pick(o.name)])]" />
        <PlanField v-model="form.level" name="level" :label="t('talent.plan.level_optional')" :errors="state.errors" form="g"
                   :options="[['', t('talent.plan.any_level')], ...levels.map((l) => [l.code, pick(l)])]" />
        <PlanField v-model="form.metric" name="metric" :label="t('talent.plan.metric')" :errors="state.errors" form="g"
                   :options="METRICS.map((m) => [m, t('talent.metric.' + m)])" />
        <PlanField v-model="form.value" name="value" :label="t('talent.dash.target_value')" :errors="state.errors" form="g"
                   type="number" :attrs="{ min: '0', inputmode: 'numeric' }" />
      </div>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
      <button type="submit" :disabled="state.busy">{{ t("talent.plan.add_target") }}</button>
    </form>`,
};

// Reports set against what Quancheng saw of the programme's own training events; the period is in the address
// (?period=2026-11), so that a link names it.
export const EvidencePage = {
  props: ["params"],
  components: { PlanNav },
  setup() {
    const plan = usePlan();
    const periods = ref([]);
    const programmes = ref([]);
    const rows = ref(null);
    const failed = ref("");
    const latest = ref("");  // the newest period that has begun, until the address names one
    const chosen = computed(() => route.query.get("period") || latest.value);
    async function check() {
      rows.value = null;
      failed.value = "";
      if (!chosen.value) return;
      try {
        rows.value = await api(`/talent/evidence?period=${encodeURIComponent(chosen.value)}`);
      } catch (error) {
        failed.value = failure(error);
      }
    }
    function choose(period) {
      go(`/talent/evidence?period=${encodeURIComponent(period)}`);
    }
    onMounted(() => plan.load(async () => {
      [periods.value, programmes.value] = await Promise.all([api("/talent/periods"), api("/talent/programmes")]);
      const today = cityToday();
      latest.value = periods.value.filter((p) => p.starts_on <= today).sort((a, b) => a.starts_on.localeCompare(b.starts_on)).at(-1)?.id || "";
      if (route.query.get("period")) await check();  // else naming the latest period sets off the watch below
    }));
    watch(chosen, check);
    const cohort = (id) => programmes.value.find((p) => p.id === id)?.cohort || `#${id}`;
    return { ...plan, periods, rows, failed, chosen, choose, cohort, t };
  },
  template: `
    <h1>{{ t("talent.plan.evidence") }}</h1>
    <PlanNav />
    <p class="muted">{{ t("talent.plan.evidence_rule") }}</p>
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <div class="card">
      <label for="e-period">{{ t("talent.dash.period") }}</label>
      <select id="e-period" :value="chosen" @change="choose($event.target.value)">
        <option v-if="!periods.some((p) => p.id === chosen)" :value="chosen" disabled>{{ chosen || t("talent.plan.choose") }}</option>
        <option v-for="p in periods" :key="p.id" :value="p.id">{{ p.id }}</option></select>
    </div>
    <p v-if="failed" class="banner" role="alert">{{ failed }}</p>
    <p v-else-if="rows && !rows.length" class="card muted" role="status">{{ t("talent.plan.no_evidence") }}</p>
    <div v-else-if="rows" class="card talent-scroll" tabindex="0" role="region" :aria-label="t('talent.plan.evidence') + ' ' + chosen"><table data-test="evidence">
      <thead><tr>
        <th scope="col">{{ t("talent.plan.cohort") }}</th><th scope="col">{{ t("talent.dash.base") }}</th>
        <th scope="col">{{ t("talent.plan.reported_new") }}</th><th scope="col">{{ t("talent.plan.registered") }}</th>
        <th scope="col">{{ t("talent.plan.reported_completed") }}</th><th scope="col">{{ t("talent.plan.checked_in") }}</th>
        <th scope="col">{{ t("talent.plan.flags") }}</th>
      </tr></thead>
      <tbody><tr v-for="row in rows" :key="row.programme_id">
        <th scope="row">{{ cohort(row.programme_id) }}</th><td>{{ baseName(row.base_id) }}</td>
        <td>{{ row.reported_new }}</td><td>{{ row.registered }}</td><td>{{ row.reported_completed }}</td><td>{{ row.checked_in }}</td>
        <td><span v-for="flag in row.flags" :key="flag" class="badge full">{{ t("talent.flag." + flag) }}</span>
          <span v-if="!row.flags.length" class="badge">{{ t("talent.plan.consistent") }}</span></td>
      </tr></tbody>
    </table></div>`,
};
