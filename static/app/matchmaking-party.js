// A confirmed registrant's side of a matchmaking event (/events/{id}/matchmaking): the organisation's party (create,
// join, edit: side, pool entries, unavailable slots), the counterparts worth meeting with their reasons and the
// must / want / no marks or meeting requests, and the requests inbox.
import { ref, reactive, computed, onMounted } from "./vue.js";
import { api, ApiError, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { me } from "./account.js";
import { link } from "./router.js";
import { attempt, fieldError } from "./console-fields.js";

const SIDES = ["demand", "supply", "both"];
const LEVELS = ["must", "want", "no"];

// "上午 09:00–09:20": a slot by its session and times on the event's clock.
export function slotLabel(slot, matchmaking, timeZone) {
  const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  const session = pick(matchmaking.sessions[slot.session]?.name);
  return `${session} ${clock.format(new Date(slot.starts_at))}–${clock.format(new Date(slot.ends_at))}`;
}

// Whether the event's pairing rule lets two parties meet (events/matchmaking/interest.py: pairable).
function pairable(matchmaking, one, other) {
  if (one.id === other.id || one.organisation_id === other.organisation_id) return false;
  if (matchmaking.pairing === "any") return true;
  const supplies = (p) => p.side !== "demand";
  const demands = (p) => p.side !== "supply";
  return (supplies(one) && demands(other)) || (demands(one) && supplies(other));
}

// Side, entries and unavailable slots of a party: a new one (`organisations` to choose from) or one's own.
const PartyForm = {
  props: ["matchmaking", "timezone", "party", "organisations"],
  emits: ["saved"],
  setup(props, { emit }) {
    const form = reactive({
      organisation_id: props.party?.organisation_id ?? props.organisations?.[0]?.id ?? null,
      side: props.party?.side ?? "demand",
      entry_ids: props.party?.entries.map((e) => e.id) ?? [],
      unavailable: props.party?.unavailable ?? [],
    });
    const state = reactive({ busy: false, errors: {}, banner: "", done: "" });
    const entries = ref([]);
    async function loadEntries() {
      if (!form.organisation_id) return;
      const page = await api(`/organisations/${form.organisation_id}/pool-entries?per_page=50`);
      entries.value = page.items.filter((e) => e.state === "published");
    }
    onMounted(loadEntries);
    async function save() {
      const { organisation_id: organisationId, ...fields } = form;
      const saved = await attempt(state, ["organisation_id", "side", "entry_ids", "unavailable"], () => (props.party
        ? api(`/matchmaking-parties/${props.party.id}`, { method: "PATCH", body: fields })
        : api(`/events/${props.matchmaking.event_id}/matchmaking/parties`, { method: "POST", body: { organisation_id: organisationId, ...fields } })));
      if (saved) {
        state.done = t("mm.party.saved");
        emit("saved", saved);
      }
    }
    const error = (name) => fieldError(state.errors, name);
    const label = (slot) => slotLabel(slot, props.matchmaking, props.timezone);
    return { form, state, entries, loadEntries, save, error, label, link, t, pick, SIDES };
  },
  template: `
    <form novalidate @submit.prevent="save">
      <template v-if="!party">
        <label for="mp-organisation">{{ t("mm.party.organisation") }}</label>
        <select id="mp-organisation" v-model="form.organisation_id" @change="loadEntries">
          <option v-for="o in organisations" :key="o.id" :value="o.id">{{ pick(o.name) }}</option></select>
      </template>
      <fieldset class="checks"><legend>{{ t("mm.party.side") }}</legend>
        <label v-for="side in SIDES" :key="side"><input type="radio" name="side" :value="side" v-model="form.side">{{ t("mm.side." + side) }}</label>
      </fieldset>
      <fieldset class="checks" :aria-describedby="error('entry_ids') ? 'mp-entries-error' : null"><legend>{{ t("mm.party.entries") }}</legend>
        <p v-if="!entries.length" class="muted">{{ t("mm.party.no_entries") }} <a v-bind="link('/pool')">{{ t("mm.pool.heading") }}</a></p>
        <label v-for="e in entries" :key="e.id"><input type="checkbox" :value="e.id" v-model="form.entry_ids">
          {{ t("mm.kind." + e.kind) }}：{{ pick(e.title) }}</label>
        <div v-if="error('entry_ids')" id="mp-entries-error" class="field-error">{{ error("entry_ids") }}</div>
      </fieldset>
      <fieldset class="checks" :aria-describedby="error('unavailable') ? 'mp-unavailable-error' : null"><legend>{{ t("mm.party.unavailable") }}</legend>
        <label v-for="slot in matchmaking.slots" :key="slot.number"><input type="checkbox" :value="slot.number" v-model="form.unavailable">{{ label(slot) }}</label>
        <div v-if="error('unavailable')" id="mp-unavailable-error" class="field-error">{{ error("unavailable") }}</div>
      </fieldset>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
      <button type="submit" :disabled="state.busy">{{ party ? t("mm.party.save") : t("mm.party.create") }}</button>
    </form>`,
};

// The counterparts: recommended ones with their reasons first, then the others the pairing rule allows; each
// with a must / want / no mark (preferences) or a request with a message (requests).
const Counterparts = {
  props: ["matchmaking", "party", "parties", "requests"],
  emits: ["sent"],
  setup(props, { emit }) {
    const recommended = ref([]);
    const marks = ref({});
    const messages = reactive({});
    const feedback = reactive({ at: null, ok: "", error: "" });
    const preferences = computed(() => props.matchmaking.mode === "preferences");
    onMounted(async () => {
      try {
        recommended.value = await api(`/matchmaking-parties/${props.party.id}/recommendations`);
        if (preferences.value) {
          const found = await api(`/matchmaking-parties/${props.party.id}/preferences`);
          marks.value = Object.fromEntries(found.map((p) => [p.counterpart_id, p.level]));
        }
      } catch (error) {
        Object.assign(feedback, { at: null, error: failure(error) });
      }
    });
    const others = computed(() => {
      const shown = new Set(recommended.value.map((c) => c.party.id));
      return props.parties.filter((p) => !shown.has(p.id) && pairable(props.matchmaking, props.party, p)).map((p) => ({ party: p, reason: "" }));
    });
    const rows = computed(() => [...recommended.value, ...others.value]);
    async function mark(counterpart, level) {
      const path = `/matchmaking-parties/${props.party.id}/preferences/${counterpart.id}`;
      try {
        if (level) await api(path, { method: "PUT", body: { level } });
        else await api(path, { method: "DELETE" });
        marks.value = { ...marks.value, [counterpart.id]: level };
        Object.assign(feedback, { at: counterpart.id, ok: t("mm.counterpart.marked", { name: pick(counterpart.organisation_name) }), error: "" });
      } catch (error) {
        Object.assign(feedback, { at: counterpart.id, ok: "", error: failure(error) });
      }
    }
    async function ask(counterpart) {
      try {
        const sent = await api(`/matchmaking-parties/${props.party.id}/requests`, {
          method: "POST", body: { counterpart_id: counterpart.id, message: messages[counterpart.id] || "" } });
        emit("sent", sent);
        Object.assign(feedback, { at: counterpart.id, ok: t("mm.counterpart.sent"), error: "" });
      } catch (error) {
        Object.assign(feedback, { at: counterpart.id, ok: "", error: failure(error) });
      }
    }
    const asked = (id) => props.requests.find((r) => r.party_id === id || r.counterpart_id === id);
    return { rows, marks, messages, feedback, preferences, mark, ask, asked, t, pick, LEVELS };
  },
  template: `
    <p v-if="feedback.error && feedback.at === null" class="banner" role="alert">{{ feedback.error }}</p>
    <p v-if="!rows.length" class="muted">{{ t("mm.counterpart.none") }}</p>
    <ul class="plain">
      <li v-for="row in rows" :key="row.party.id" :data-party="row.party.id">
        <strong>{{ pick(row.party.organisation_name) }}</strong> <span class="badge">{{ t("mm.side." + row.party.side) }}</span>
        <div class="muted">{{ row.party.entries.map((e) => pick(e.title)).join("；") }}</div>
        <p v-if="row.reason" class="mm-reason">{{ row.reason }}</p>
        <fieldset v-if="preferences" class="checks"><legend>{{ t("mm.counterpart.mark", { name: pick(row.party.organisation_name) }) }}</legend>
          <label v-for="level in [...LEVELS, '']" :key="level"><input type="radio" :name="'mark-' + row.party.id" :value="level"
                 :checked="(marks[row.party.id] || '') === level" @change="mark(row.party, level)">{{ t("mm.level." + (level || "none")) }}</label>
        </fieldset>
        <template v-else>
          <p v-if="asked(row.party.id)" class="muted">{{ t("mm.request.state." + asked(row.party.id).state) }}</p>
          <form v-else class="mm-ask" @submit.prevent="ask(row.party)">
            <label :for="'ask-' + row.party.id">{{ t("mm.counterpart.message", { name: pick(row.party.organisation_name) }) }}</label>
            <textarea :id="'ask-' + row.party.id" v-model="messages[row.party.id]" rows="2" maxlength="1000"></textarea>
            <button type="submit" class="small">{{ t("mm.counterpart.send") }}</button>
          </form>
        </template>
        <p v-if="feedback.at === row.party.id && feedback.error" class="banner" role="alert">{{ feedback.error }}</p>
        <p v-if="feedback.at === row.party.id && feedback.ok" class="banner ok" role="status">{{ feedback.ok }}</p>
      </li>
    </ul>`,
};

// Requests received (accept or decline, once) and sent, with their states.
const Inbox = {
  props: ["party", "parties", "requests"],
  emits: ["answered"],
  setup(props, { emit }) {
    const banner = ref("");
    const name = (id) => pick(props.parties.find((p) => p.id === id)?.organisation_name) || `#${id}`;
    const received = computed(() => props.requests.filter((r) => r.counterpart_id === props.party.id));
    const sent = computed(() => props.requests.filter((r) => r.party_id === props.party.id));
    async function answer(request, accept) {
      try {
        emit("answered", await api(`/matchmaking-parties/${props.party.id}/requests/${request.id}/answer`, { method: "POST", body: { accept } }));
      } catch (error) {
        banner.value = failure(error);
      }
    }
    return { received, sent, banner, name, answer, t };
  },
  template: `
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <h3>{{ t("mm.request.received") }}</h3>
    <p v-if="!received.length" class="muted">{{ t("mm.request.none") }}</p>
    <ul class="plain">
      <li v-for="r in received" :key="r.id">
        <strong>{{ name(r.party_id) }}</strong> <span class="badge wait">{{ t("mm.request.state." + r.state) }}</span>
        <p v-if="r.message" class="mm-reason">{{ r.message }}</p>
        <div v-if="r.state === 'pending'" class="console-links" role="group" :aria-label="name(r.party_id)">
          <button type="button" class="small" @click="answer(r, true)">{{ t("mm.request.accept") }}</button>
          <button type="button" class="small secondary" @click="answer(r, false)">{{ t("mm.request.decline") }}</button>
        </div>
      </li>
    </ul>
    <h3>{{ t("mm.request.sent") }}</h3>
    <p v-if="!sent.length" class="muted">{{ t("mm.request.none") }}</p>
    <ul class="plain">
      <li v-for="r in sent" :key="r.id"><strong>{{ name(r.counterpart_id) }}</strong>
        <span class="badge wait">{{ t("mm.request.state." + r.state) }}</span></li>
    </ul>`,
};

export const MatchmakingPage = {
  components: { PartyForm, Counterparts, Inbox },
  props: ["id"],
  setup(props) {
    const event = ref(null);
    const matchmaking = ref(null);
    const parties = ref([]);
    const own = ref(null);
    const colleagues = ref(null);  // a colleague's party the caller may join
    const requests = ref([]);  // sent and received, in mode `requests`
    const organisations = ref([]);
    const banner = ref("");
    const outside = ref(false);  // not a confirmed registrant: the API answers 404
    async function refresh() {
      parties.value = await api(`/events/${props.id}/matchmaking/parties`);
      const mine = new Set(me.user.memberships.map((m) => m.organisation_id));
      const ours = parties.value.find((p) => mine.has(p.organisation_id));
      own.value = colleagues.value = null;
      if (ours) {
        try {
          own.value = await api(`/matchmaking-parties/${ours.id}`);
          if (matchmaking.value.mode === "requests") requests.value = await api(`/matchmaking-parties/${ours.id}/requests`);
        } catch (error) {
          if (!(error instanceof ApiError && error.problem.status === 404)) throw error;
          colleagues.value = ours;
        }
      } else {
        organisations.value = await Promise.all([...mine].map(async (id) => ({ id, name: (await api(`/organisations/${id}`)).name })));
      }
    }
    onMounted(async () => {
      if (!me.user) return;
      try {
        [event.value, matchmaking.value] = await Promise.all([api(`/events/${props.id}`), api(`/events/${props.id}/matchmaking`)]);
        await refresh();
      } catch (error) {
        if (error instanceof ApiError && error.problem.status === 404 && matchmaking.value) outside.value = true;
        else banner.value = failure(error);
      }
    });
    async function join() {
      try {
        own.value = await api(`/matchmaking-parties/${colleagues.value.id}/members`, { method: "POST" });
        colleagues.value = null;
      } catch (error) {
        banner.value = failure(error);
      }
    }
    async function saved(party) {
      own.value = party;
      parties.value = await api(`/events/${props.id}/matchmaking/parties`);
    }
    const sent = (request) => { requests.value = [...requests.value, request]; };
    const answered = (request) => { requests.value = requests.value.map((r) => (r.id === request.id ? request : r)); };
    return { event, matchmaking, parties, own, colleagues, organisations, requests, banner, outside, join, saved, sent, answered, me, link, t, pick };
  },
  template: `
    <h1>{{ t("mm.party.heading") }}</h1>
    <p v-if="!me.user" class="banner" role="alert">{{ t("mm.party.sign_in") }} <a v-bind="link('/login')">{{ t("nav.login") }}</a></p>
    <p v-if="event"><a v-bind="link('/events/' + event.id)">{{ pick(event.title) }}</a></p>
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <p v-if="outside" class="banner" role="alert">{{ t("mm.party.register_first") }}</p>
    <template v-if="matchmaking && !outside && !banner && me.user">
      <section class="card" aria-labelledby="mp-profile">
        <h2 id="mp-profile">{{ t("mm.party.profile") }}</h2>
        <template v-if="colleagues">
          <p>{{ t("mm.party.colleagues", { name: pick(colleagues.organisation_name) }) }}</p>
          <button type="button" @click="join">{{ t("mm.party.join") }}</button>
        </template>
        <p v-else-if="!own && !organisations.length" class="muted">{{ t("mm.party.no_organisation") }}</p>
        <PartyForm v-else :key="own ? own.id : 'new'" :matchmaking="matchmaking" :timezone="event.timezone" :party="own"
                   :organisations="organisations" @saved="saved" />
      </section>
      <template v-if="own">
        <section class="card" aria-labelledby="mp-counterparts">
          <h2 id="mp-counterparts">{{ t("mm.counterpart.heading") }}</h2>
          <p class="muted">{{ t(matchmaking.mode === "preferences" ? "mm.counterpart.explain_marks" : "mm.counterpart.explain_requests") }}</p>
          <Counterparts :matchmaking="matchmaking" :party="own" :parties="parties" :requests="requests" @sent="sent" />
        </section>
        <section v-if="matchmaking.mode === 'requests'" class="card" aria-labelledby="mp-inbox">
          <h2 id="mp-inbox">{{ t("mm.request.heading") }}</h2>
          <Inbox :party="own" :parties="parties" :requests="requests" @answered="answered" />
        </section>
      </template>
    </template>`,
};
