// The organiser's matchmaking page (/console/events/{id}/matchmaking): rules and session grid, organiser
// must-meets, a schedule run polled until the solver is done (proved optimal or the bound it reached), the grid
// of slots × tables where a meeting is moved with the keyboard (select it, then a target cell: the server checks
// the move live before it is made), empty cells filled for late parties, and publishing.
import { ref, reactive, computed, onMounted, onBeforeUnmount } from "./vue.js";
import { api, ApiError, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { link, go, route } from "./router.js";
import { attempt, fieldError, I18nInputs, toInstant, toLocalInput } from "./console-fields.js";
import { slotLabel } from "./matchmaking-party.js";

const POLL_MS = 1000;
const TABLE_SEPARATORS = /[\s,，、]+/;

const newSession = () => ({ name: { zh: "", en: "" }, starts_at: "", slots: 6, breaks: [] });

// Rules and grid (PUT /events/{id}/matchmaking): saving again replaces both.
const RulesForm = {
  components: { I18nInputs },
  props: ["event", "matchmaking"],
  emits: ["saved"],
  setup(props, { emit }) {
    const zone = props.event.timezone;
    const saved = props.matchmaking;
    const form = reactive({
      pairing: saved?.pairing ?? "supply_demand",
      mode: saved?.mode ?? "preferences",
      meeting_cap: saved?.meeting_cap ?? "",
      slot_minutes: saved?.slot_minutes ?? 20,
      tables: saved?.tables.join(", ") ?? "",
      sessions: saved ? saved.sessions.map((s) => ({ ...s, name: { zh: s.name.zh, en: s.name.en || "" }, starts_at: toLocalInput(s.starts_at, zone),
                                                    breaks: s.breaks.map((b) => ({ ...b })) }))
        : [{ ...newSession(), starts_at: toLocalInput(props.event.starts_at, zone) }],
    });
    const state = reactive({ busy: false, errors: {}, banner: "", done: "" });
    async function save() {
      const body = {
        pairing: form.pairing, mode: form.mode, meeting_cap: form.meeting_cap === "" ? null : Number(form.meeting_cap),
        slot_minutes: Number(form.slot_minutes), tables: form.tables.split(TABLE_SEPARATORS).filter(Boolean),
        sessions: form.sessions.map((s) => ({
          name: s.name, starts_at: toInstant(s.starts_at, zone), slots: Number(s.slots),
          breaks: s.breaks.map((b) => ({ after: Number(b.after), minutes: Number(b.minutes) })),
        })),
      };
      const answer = await attempt(state, ["pairing", "mode", "meeting_cap", "slot_minutes", "tables", "sessions"],
                                   () => api(`/events/${props.event.id}/matchmaking`, { method: "PUT", body }));
      if (answer) {
        state.done = t("mm.grid.rules_saved");
        emit("saved", answer);
      }
    }
    const error = (name) => fieldError(state.errors, name);
    const described = (name) => (error(name) ? `mr-${name.replaceAll(".", "-")}-error` : null);
    return { form, state, save, error, described, newSession, t };
  },
  template: `
    <form novalidate @submit.prevent="save">
      <div class="grid-2">
        <div><label for="mr-pairing">{{ t("mm.grid.pairing") }}</label>
          <select id="mr-pairing" v-model="form.pairing">
            <option value="supply_demand">{{ t("mm.pairing.supply_demand") }}</option>
            <option value="any">{{ t("mm.pairing.any") }}</option></select></div>
        <div><label for="mr-mode">{{ t("mm.grid.mode") }}</label>
          <select id="mr-mode" v-model="form.mode">
            <option value="preferences">{{ t("mm.mode.preferences") }}</option>
            <option value="requests">{{ t("mm.mode.requests") }}</option></select></div>
        <div><label for="mr-meeting_cap">{{ t("mm.grid.cap") }}</label>
          <input id="mr-meeting_cap" v-model="form.meeting_cap" type="number" min="1" inputmode="numeric"
                 :aria-invalid="!!error('meeting_cap')" :aria-describedby="described('meeting_cap')">
          <div v-if="error('meeting_cap')" id="mr-meeting_cap-error" class="field-error">{{ error("meeting_cap") }}</div></div>
        <div><label for="mr-slot_minutes">{{ t("mm.grid.slot_minutes") }}</label>
          <input id="mr-slot_minutes" v-model="form.slot_minutes" type="number" min="5" max="120" inputmode="numeric"
                 :aria-invalid="!!error('slot_minutes')" :aria-describedby="described('slot_minutes')">
          <div v-if="error('slot_minutes')" id="mr-slot_minutes-error" class="field-error">{{ error("slot_minutes") }}</div></div>
      </div>
      <label for="mr-tables">{{ t("mm.grid.tables") }}</label>
      <input id="mr-tables" v-model="form.tables" :aria-describedby="error('tables') ? 'mr-tables-hint mr-tables-error' : 'mr-tables-hint'"
             :aria-invalid="!!error('tables')">
      <div id="mr-tables-hint" class="muted">{{ t("mm.grid.tables_hint") }}</div>
      <div v-if="error('tables')" id="mr-tables-error" class="field-error">{{ error("tables") }}</div>
      <fieldset v-for="(session, n) in form.sessions" :key="n">
        <legend>{{ t("mm.grid.session", { n: n + 1 }) }}</legend>
        <I18nInputs v-model="session.name" :name="'sessions.' + n + '.name'" :label="t('mm.grid.session_name')" :errors="state.errors"
                    required prefix="mr" />
        <div class="grid-2">
          <div><label :for="'mr-start-' + n">{{ t("mm.grid.starts_at") }}</label>
            <input :id="'mr-start-' + n" v-model="session.starts_at" type="datetime-local"
                   :aria-invalid="!!error('sessions.' + n + '.starts_at')" :aria-describedby="described('sessions.' + n + '.starts_at')">
            <div v-if="error('sessions.' + n + '.starts_at')" :id="'mr-sessions-' + n + '-starts_at-error'" class="field-error">
              {{ error("sessions." + n + ".starts_at") }}</div></div>
          <div><label :for="'mr-slots-' + n">{{ t("mm.grid.slots") }}</label>
            <input :id="'mr-slots-' + n" v-model="session.slots" type="number" min="1" inputmode="numeric"
                   :aria-invalid="!!error('sessions.' + n + '.slots')" :aria-describedby="described('sessions.' + n + '.slots')">
            <div v-if="error('sessions.' + n + '.slots')" :id="'mr-sessions-' + n + '-slots-error'" class="field-error">
              {{ error("sessions." + n + ".slots") }}</div></div>
        </div>
        <div v-for="(pause, b) in session.breaks" :key="b" class="mm-break">
            <label>{{ t("mm.grid.break_after") }}<input v-model="pause.after" type="number" min="1" inputmode="numeric"></label>
            <label>{{ t("mm.grid.break_minutes") }}<input v-model="pause.minutes" type="number" min="5" inputmode="numeric"></label>
            <button type="button" class="small secondary" @click="session.breaks.splice(b, 1)">{{ t("mm.grid.remove_break") }}</button>
        </div>
        <div v-if="error('sessions.' + n + '.breaks')" class="field-error">{{ error("sessions." + n + ".breaks") }}</div>
        <div class="console-links">
          <button type="button" class="small secondary" @click="session.breaks.push({ after: 1, minutes: 10 })">{{ t("mm.grid.add_break") }}</button>
          <button v-if="form.sessions.length > 1" type="button" class="small secondary" @click="form.sessions.splice(n, 1)">
            {{ t("mm.grid.remove_session") }}</button>
        </div>
      </fieldset>
      <button type="button" class="secondary" @click="form.sessions.push(newSession())">{{ t("mm.grid.add_session") }}</button>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
      <button type="submit" :disabled="state.busy">{{ t("mm.grid.save_rules") }}</button>
    </form>`,
};

// The organiser's must-meets: two parties, optionally at a fixed slot.
const MustMeets = {
  props: ["event", "matchmaking", "parties"],
  setup(props) {
    const meetings = ref([]);
    const form = reactive({ first: "", second: "", slot: "" });
    const state = reactive({ busy: false, errors: {}, banner: "", done: "" });
    const load = async () => { meetings.value = await api(`/events/${props.event.id}/matchmaking/must-meets`); };
    onMounted(() => load().catch((error) => { state.banner = failure(error); }));
    const path = `/events/${props.event.id}/matchmaking/must-meets`;
    async function add() {
      const body = { party_ids: [Number(form.first), Number(form.second)], slot: form.slot === "" ? null : Number(form.slot) };
      if (await attempt(state, ["party_ids", "slot"], () => api(path, { method: "POST", body }))) {
        state.done = t("mm.must.added");
        await load();
      }
    }
    async function remove(meeting) {
      if (await attempt(state, [], () => api(`${path}/${meeting.id}`, { method: "DELETE" }))) await load();
    }
    const name = (id) => pick(props.parties.find((p) => p.id === id)?.organisation_name) || `#${id}`;
    const label = (slot) => slotLabel(props.matchmaking.slots[slot], props.matchmaking, props.event.timezone);
    const error = (key) => fieldError(state.errors, key);
    return { meetings, form, state, add, remove, name, label, error, t, pick };
  },
  template: `
    <ul v-if="meetings.length" class="plain">
      <li v-for="m in meetings" :key="m.id">{{ name(m.party_ids[0]) }} ↔ {{ name(m.party_ids[1]) }}
        <span v-if="m.slot !== null" class="muted"> · {{ label(m.slot) }}</span>
        <button type="button" class="small secondary" :aria-label="t('mm.must.remove_named', { a: name(m.party_ids[0]), b: name(m.party_ids[1]) })"
                @click="remove(m)">{{ t("mm.must.remove") }}</button></li>
    </ul>
    <p v-else class="muted">{{ t("mm.must.none") }}</p>
    <form novalidate @submit.prevent="add">
      <div class="grid-2">
        <div v-for="key in ['first', 'second']" :key="key"><label :for="'mm-' + key">{{ t("mm.must." + key) }}</label>
          <select :id="'mm-' + key" v-model="form[key]" :aria-invalid="!!error('party_ids')"
                  :aria-describedby="error('party_ids') ? 'mm-parties-error' : null">
            <option value="">{{ t("mm.pool.choose") }}</option>
            <option v-for="p in parties" :key="p.id" :value="p.id">{{ pick(p.organisation_name) }}（{{ t("mm.side." + p.side) }}）</option>
          </select></div>
      </div>
      <div v-if="error('party_ids')" id="mm-parties-error" class="field-error">{{ error("party_ids") }}</div>
      <label for="mm-slot">{{ t("mm.must.slot") }}</label>
      <select id="mm-slot" v-model="form.slot" :aria-invalid="!!error('slot')" :aria-describedby="error('slot') ? 'mm-slot-error' : null">
        <option value="">{{ t("mm.must.any_slot") }}</option>
        <option v-for="s in matchmaking.slots" :key="s.number" :value="s.number">{{ label(s.number) }}</option></select>
      <div v-if="error('slot')" id="mm-slot-error" class="field-error">{{ error("slot") }}</div>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
      <button type="submit" :disabled="state.busy">{{ t("mm.must.add") }}</button>
    </form>`,
};

// A meeting's two parties, whichever shape the schedule gives them in.
const partyIds = (meeting) => meeting.party_ids ?? meeting.parties.map((p) => (typeof p === "object" ? p.id : p));
// A 409's code (`schedule_stale`, `move_conflicts`) and details.
const problemCode = (error) => error.problem.code || (error.problem.type || "").split(":").pop();

// The schedule as a grid of slots × tables. Select a meeting (Enter or a tap), then a target cell: the server
// checks that move (conflicts listed before anything changes), and "move here" makes it; a taken cell swaps.
const ScheduleGrid = {
  props: ["event", "matchmaking", "parties", "schedule"],
  emits: ["changed"],
  setup(props, { emit }) {
    const selected = ref(null);  // a meeting
    const target = ref(null);  // { slot, table }
    const check = reactive({ conflicts: null, error: "", ok: "" });
    const path = `/events/${props.event.id}/matchmaking/schedules/${props.schedule.id}`;
    const at = computed(() => {
      const cells = new Map();
      for (const m of props.schedule.meetings) cells.set(`${m.slot}:${m.table}`, m);
      return cells;
    });
    const name = (id) => pick(props.parties.find((p) => p.id === id)?.organisation_name) || `#${id}`;
    const names = (meeting) => partyIds(meeting).map(name).join(" ↔ ");
    const label = (slot) => slotLabel(slot, props.matchmaking, props.event.timezone);
    const place = (slot, table) => t("mm.grid.cell", { slot: label(props.matchmaking.slots[slot]), table: props.matchmaking.tables[table] });
    const reset = () => { Object.assign(check, { conflicts: null, error: "", ok: "" }); target.value = null; };
    function choose(meeting) {
      reset();
      selected.value = selected.value === meeting ? null : meeting;
    }
    const moveBody = () => ({ version: props.schedule.version, meeting_id: selected.value.id, ...target.value });
    function fail(error) {
      if (!(error instanceof ApiError)) return Object.assign(check, { error: t("error.network") });
      const code = problemCode(error);
      if (code === "schedule_stale") {
        const current = error.problem.details?.schedule ?? error.problem.details;
        if (current?.meetings) emit("changed", current);
        selected.value = null;
        target.value = null;
        return Object.assign(check, { error: t("mm.grid.stale") });
      }
      if (code === "move_conflicts") return Object.assign(check, { conflicts: error.problem.details?.conflicts ?? [], error: error.message });
      return Object.assign(check, { error: error.message });
    }
    async function aim(slot, table) {
      if (!selected.value) return;
      Object.assign(check, { conflicts: null, error: "", ok: "" });
      target.value = { slot, table };
      try {
        const answer = await api(`${path}/check`, { method: "POST", body: moveBody() });
        check.conflicts = answer.conflicts;
      } catch (error) {
        fail(error);
      }
    }
    async function move() {
      try {
        const answer = await api(`${path}/moves`, { method: "POST", body: moveBody() });
        const moved = place(target.value.slot, target.value.table);
        selected.value = null;
        target.value = null;
        emit("changed", answer);
        Object.assign(check, { conflicts: null, error: "", ok: t("mm.grid.moved", { place: moved }) });
      } catch (error) {
        fail(error);
      }
    }
    async function remove() {
      try {
        await api(`${path}/meetings/${selected.value.id}?version=${props.schedule.version}`, { method: "DELETE" });
        selected.value = null;
        emit("changed", await api(path));
        Object.assign(check, { conflicts: null, error: "", ok: t("mm.grid.removed") });
      } catch (error) {
        fail(error);
      }
    }
    const isTarget = (slot, table) => target.value?.slot === slot && target.value?.table === table;
    return { selected, target, check, at, names, label, place, choose, aim, move, remove, reset, isTarget, t };
  },
  template: `
    <p class="muted" id="grid-help">{{ t("mm.grid.help") }}</p>
    <div class="mm-grid-scroll" tabindex="0" role="region" :aria-label="t('mm.grid.scroll')">
      <table class="mm-grid" aria-describedby="grid-help">
        <thead><tr><th scope="col">{{ t("mm.grid.slot") }}</th>
          <th v-for="(table, n) in matchmaking.tables" :key="n" scope="col">{{ table }}</th></tr></thead>
        <tbody>
          <tr v-for="slot in matchmaking.slots" :key="slot.number">
            <th scope="row">{{ label(slot) }}</th>
            <td v-for="(table, n) in matchmaking.tables" :key="n">
              <button v-if="at.get(slot.number + ':' + n)" type="button" class="mm-meeting"
                      :class="{ must: at.get(slot.number + ':' + n).must, target: isTarget(slot.number, n) }"
                      :aria-pressed="String(selected === at.get(slot.number + ':' + n))"
                      @click="selected && selected !== at.get(slot.number + ':' + n) ? aim(slot.number, n) : choose(at.get(slot.number + ':' + n))">
                {{ names(at.get(slot.number + ':' + n)) }}</button>
              <button v-else type="button" class="mm-empty" :class="{ target: isTarget(slot.number, n) }" :disabled="!selected"
                      :aria-label="t('mm.grid.empty_cell', { place: place(slot.number, n) })" @click="aim(slot.number, n)">·</button>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
    <div aria-live="polite">
      <p v-if="selected" data-test="selected">{{ t("mm.grid.selected", { names: names(selected), place: place(selected.slot, selected.table) }) }}</p>
      <template v-if="selected && target">
        <p>{{ t("mm.grid.target", { place: place(target.slot, target.table) }) }}</p>
        <ul v-if="check.conflicts && check.conflicts.length" class="mm-conflicts" data-test="conflicts">
          <li v-for="c in check.conflicts" :key="c.code + c.message">{{ c.message }}</li></ul>
        <p v-else-if="check.conflicts" class="banner ok">{{ t("mm.grid.no_conflicts") }}</p>
      </template>
      <p v-if="check.error" class="banner" role="alert">{{ check.error }}</p>
      <p v-if="check.ok" class="banner ok" role="status">{{ check.ok }}</p>
    </div>
    <div v-if="selected" class="console-links">
      <button v-if="target" type="button" :disabled="!!(check.conflicts && check.conflicts.length)" @click="move">{{ t("mm.grid.move") }}</button>
      <button type="button" class="secondary" @click="remove">{{ t("mm.grid.remove") }}</button>
      <button type="button" class="secondary" @click="choose(selected)">{{ t("mm.grid.deselect") }}</button>
    </div>`,
};

// A run's report: its state until done, then whether it is proved optimal and each stage's value and bound.
const STAGES = ["held", "breaks", "fairness_excess"];  // events/matchmaking/scheduler.py: the objective's stages
const RunReport = {
  props: ["schedule"],
  setup: () => ({ t, stageName: (name) => (STAGES.includes(name) ? t("mm.stage." + name) : name) }),
  template: `
    <p role="status" data-test="run-state">{{ t("mm.run.state." + schedule.state) }}
      <template v-if="schedule.state === 'done'"> · {{ t(schedule.proved ? "mm.run.proved" : "mm.run.not_proved") }}
        · {{ t("mm.run.placed", { placed: schedule.placed, wanted: schedule.wanted }) }}
        <template v-if="schedule.seconds !== null"> · {{ t("mm.run.seconds", { s: schedule.seconds.toFixed(1) }) }}</template></template></p>
    <p v-if="schedule.error" class="banner" role="alert">{{ schedule.error }}</p>
    <table v-if="schedule.stages.length" class="mm-stages">
      <caption class="muted">{{ t("mm.run.stages") }}</caption>
      <thead><tr><th scope="col">{{ t("mm.run.stage") }}</th><th scope="col">{{ t("mm.run.value") }}</th>
        <th scope="col">{{ t("mm.run.bound") }}</th></tr></thead>
      <tbody><tr v-for="s in schedule.stages" :key="s.name"><td>{{ stageName(s.name) }}</td><td>{{ s.value }}</td>
        <td>{{ s.bound }}{{ s.proved ? " ✓" : "" }}</td></tr></tbody>
    </table>`,
};

export const MatchmakingGrid = {
  components: { RulesForm, MustMeets, ScheduleGrid, RunReport },
  props: ["id"],
  setup(props) {
    const event = ref(null);
    const matchmaking = ref(null);
    const parties = ref([]);
    const schedule = ref(null);
    const run = reactive({ time_limit: 10, fairness_d: 2 });
    const state = reactive({ busy: false, errors: {}, banner: "", done: "" });
    const banner = ref("");
    let timer = null;
    const schedulesPath = `/events/${props.id}/matchmaking/schedules`;
    async function poll(id) {
      clearTimeout(timer);
      schedule.value = await api(`${schedulesPath}/${id}`);
      if (["queued", "running"].includes(schedule.value.state)) timer = setTimeout(() => poll(id).catch((e) => { banner.value = failure(e); }), POLL_MS);
    }
    onMounted(async () => {
      try {
        event.value = await api(`/events/${props.id}`);
        try {
          matchmaking.value = await api(`/events/${props.id}/matchmaking`);
        } catch (error) {
          if (!(error instanceof ApiError && error.problem.status === 404)) throw error;  // not set up yet
        }
        if (matchmaking.value) parties.value = await api(`/events/${props.id}/matchmaking/parties`);
        const shown = route.query.get("schedule");
        if (shown) await poll(shown);
      } catch (error) {
        banner.value = failure(error);
      }
    });
    onBeforeUnmount(() => clearTimeout(timer));
    async function follow(started) {
      go(`/console/events/${props.id}/matchmaking?schedule=${started.id}`);
      await poll(started.id);
    }
    async function start() {
      const body = { time_limit: Number(run.time_limit), fairness_d: run.fairness_d === "" ? null : Number(run.fairness_d) };
      const started = await attempt(state, ["time_limit", "fairness_d"], () => api(schedulesPath, { method: "POST", body }));
      if (started) await follow(started);
    }
    async function fill() {
      const started = await attempt(state, [], () => api(`${schedulesPath}/${schedule.value.id}/fill`, { method: "POST" }));
      if (started) await follow(started);
    }
    async function publish() {
      const published = await attempt(state, [], () => api(`${schedulesPath}/${schedule.value.id}/publish`, { method: "POST" }));
      if (published) {
        schedule.value = published;
        state.done = t("mm.run.published");
      }
    }
    async function rulesSaved(saved) {
      matchmaking.value = saved;
      parties.value = await api(`/events/${props.id}/matchmaking/parties`);
    }
    const error = (name) => fieldError(state.errors, name);
    return { event, matchmaking, parties, schedule, run, state, banner, start, fill, publish, rulesSaved, error, link, t, pick };
  },
  template: `
    <h1>{{ t("mm.grid.heading") }}</h1>
    <p v-if="event"><a v-bind="link('/console/events/' + event.id)">{{ pick(event.title) }}</a></p>
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <template v-if="event && !banner">
      <section class="card" aria-labelledby="mg-rules">
        <h2 id="mg-rules">{{ t("mm.grid.rules") }}</h2>
        <RulesForm :event="event" :matchmaking="matchmaking" @saved="rulesSaved" />
      </section>
      <template v-if="matchmaking">
        <section class="card" aria-labelledby="mg-must">
          <h2 id="mg-must">{{ t("mm.must.heading") }}</h2>
          <p class="muted">{{ t("mm.grid.parties", { n: parties.length }) }}</p>
          <MustMeets :event="event" :matchmaking="matchmaking" :parties="parties" />
        </section>
        <section class="card" aria-labelledby="mg-run">
          <h2 id="mg-run">{{ t("mm.run.heading") }}</h2>
          <form class="inline" novalidate @submit.prevent="start">
            <label for="mg-time">{{ t("mm.run.time_limit") }}</label>
            <input id="mg-time" v-model="run.time_limit" type="number" min="1" max="600" inputmode="numeric"
                   :aria-invalid="!!error('time_limit')" :aria-describedby="error('time_limit') ? 'mg-time-error' : null">
            <label for="mg-d">{{ t("mm.run.fairness") }}</label>
            <input id="mg-d" v-model="run.fairness_d" type="number" min="0" inputmode="numeric"
                   :aria-invalid="!!error('fairness_d')" :aria-describedby="error('fairness_d') ? 'mg-d-error' : null">
            <button type="submit" :disabled="state.busy">{{ t("mm.run.start") }}</button>
          </form>
          <div v-if="error('time_limit')" id="mg-time-error" class="field-error">{{ error("time_limit") }}</div>
          <div v-if="error('fairness_d')" id="mg-d-error" class="field-error">{{ error("fairness_d") }}</div>
          <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
          <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
          <RunReport v-if="schedule" :schedule="schedule" />
        </section>
        <section v-if="schedule && schedule.state === 'done'" class="card" aria-labelledby="mg-grid">
          <h2 id="mg-grid">{{ t("mm.grid.grid") }}</h2>
          <ScheduleGrid :key="schedule.id" :event="event" :matchmaking="matchmaking" :parties="parties" :schedule="schedule"
                        @changed="schedule = $event" />
          <div class="console-links">
            <button type="button" class="secondary" :disabled="state.busy" @click="fill">{{ t("mm.run.fill") }}</button>
            <button type="button" :disabled="state.busy" @click="publish">{{ t("mm.run.publish") }}</button>
          </div>
        </section>
      </template>
    </template>`,
};
