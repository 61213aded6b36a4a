// The 应用场景需求和解决方案资源池: public browse and search, one entry with its state moves, and the editor its
// organisation's members write drafts in. Contact details come from the API to signed-in readers only.
import { ref, reactive, computed, onMounted, watch } from "./vue.js";
import { api, failure, newestOnly } from "./api.js";
import { t, pick } from "./i18n.js";
import { me } from "./account.js";
import { link, go, route } from "./router.js";
import { attempt, fieldError, I18nInputs } from "./console-fields.js";

const PER_PAGE = 10;
const KINDS = ["need", "solution"];
const MATURITIES = ["proof_of_concept", "pilot", "scaled"];
const BUDGETS = ["under_100k", "100k_500k", "500k_2m", "over_2m"];

// The regions and domains (GET /regions, /domains), asked once per page load and shared by the matchmaking pages.
export const places = reactive({ regions: [], domains: [] });
let placesAsked = null;
export function loadPlaces() {
  placesAsked ??= Promise.all([api("/regions"), api("/domains")]).then(
    ([regions, domains]) => Object.assign(places, { regions, domains }),
    (error) => { placesAsked = null; throw error; },
  );
  return placesAsked;
}
const named = (list, code) => pick(list.find((item) => item.code === code)?.name) || code;
export const domainName = (code) => named(places.domains, code);
export const regionName = (code) => named(places.regions, code);

// Curators publish and return entries: admins, and organisers of the bureau or of an organiser organisation.
const curates = () => !!me.user && (me.user.is_admin || me.user.memberships.some(
  (m) => m.role === "organiser" && ["bureau", "organiser"].includes(m.organisation_kind)));
const memberOf = (organisationId) => !!me.user?.memberships.some((m) => m.organisation_id === organisationId);

// One line of facts about an entry: kind, domains, region or maturity.
const EntryFacts = {
  props: ["entry"],
  setup: () => ({ t, domainName, regionName }),
  template: `
    <span class="badge">{{ t("mm.kind." + entry.kind) }}</span>
    <span class="muted"> {{ entry.domains.map(domainName).join("、") }}
      <template v-if="entry.region"> · {{ regionName(entry.region) }}</template>
      <template v-if="entry.maturity"> · {{ t("mm.maturity." + entry.maturity) }}</template></span>`,
};

// The entries of the caller's organisations, in every state, with the way to a new one.
const OwnEntries = {
  components: { EntryFacts },
  setup() {
    const organisations = ref([]);
    onMounted(async () => {
      const ids = [...new Set(me.user.memberships.map((m) => m.organisation_id))];
      organisations.value = await Promise.all(ids.map(async (id) => {
        const [organisation, page] = await Promise.all([api(`/organisations/${id}`), api(`/organisations/${id}/pool-entries?per_page=50`)]);
        return { id, name: organisation.name, entries: page.items };
      }));
    });
    return { organisations, link, t, pick };
  },
  template: `
    <section v-for="o in organisations" :key="o.id" class="card" :aria-labelledby="'own-' + o.id">
      <div class="console-org-head">
        <h2 :id="'own-' + o.id">{{ t("mm.pool.own", { name: pick(o.name) }) }}</h2>
        <a class="button" v-bind="link('/pool/new?org=' + o.id)">{{ t("mm.pool.new") }}</a>
      </div>
      <p v-if="!o.entries.length" class="muted">{{ t("mm.pool.own_none") }}</p>
      <ul v-else class="plain">
        <li v-for="entry in o.entries" :key="entry.id">
          <a v-bind="link('/pool/' + entry.id)">{{ pick(entry.title) }}</a>
          <span class="badge wait">{{ t("mm.state." + entry.state) }}</span><br><EntryFacts :entry="entry" />
        </li>
      </ul>
    </section>`,
};

export const PoolBrowse = {
  components: { EntryFacts, OwnEntries },
  setup() {
    const filters = reactive({ q: route.query.get("q") || "", kind: "", domain: "", region: "" });
    const entries = ref([]);
    const total = ref(0);
    const page = ref(1);
    const banner = ref("");
    const loaded = ref(false);
    const newest = newestOnly();
    async function refresh() {
      const query = new URLSearchParams([...Object.entries(filters).filter(([, v]) => v), ["page", page.value], ["per_page", PER_PAGE]]);
      banner.value = "";
      try {
        const result = await newest(() => api(`/pool-entries?${query}`));
        if (!result) return;
        entries.value = result.answer.items;
        total.value = result.answer.total;
      } catch (error) {
        entries.value = [];
        banner.value = failure(error);
      }
      loaded.value = true;
    }
    onMounted(async () => {
      try {
        await loadPlaces();
      } catch (error) {
        banner.value = failure(error);
      }
      await refresh();
    });
    watch(filters, () => { page.value = 1; refresh(); });
    const pages = computed(() => Math.max(1, Math.ceil(total.value / PER_PAGE)));
    const turn = (by) => { page.value += by; refresh(); };
    return { filters, entries, total, page, pages, turn, banner, loaded, places, me, link, t, pick, KINDS };
  },
  template: `
    <h1>{{ t("mm.pool.heading") }}</h1>
    <p class="muted">{{ t("mm.pool.explain") }}</p>
    <div class="filters" role="search">
      <label>{{ t("mm.pool.search") }}<input v-model.lazy="filters.q" name="q" type="search" maxlength="100"></label>
      <label>{{ t("mm.pool.kind") }}<select v-model="filters.kind" name="kind">
        <option value="">{{ t("list.all") }}</option>
        <option v-for="kind in KINDS" :value="kind">{{ t("mm.kind." + kind) }}</option></select></label>
      <label>{{ t("list.domain") }}<select v-model="filters.domain" name="domain">
        <option value="">{{ t("list.all") }}</option>
        <option v-for="d in places.domains" :value="d.code">{{ pick(d.name) }}</option></select></label>
      <label>{{ t("list.region") }}<select v-model="filters.region" name="region">
        <option value="">{{ t("list.all") }}</option>
        <option v-for="r in places.regions" :value="r.code">{{ pick(r.name) }}</option></select></label>
    </div>
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <p v-else-if="loaded" class="muted" role="status">{{ t("mm.pool.found", { total }) }}</p>
    <a v-for="entry in entries" :key="entry.id" v-bind="link('/pool/' + entry.id)" class="card pool-card" data-test="pool-entry">
      <h2>{{ pick(entry.title) }}</h2>
      <div class="muted">{{ pick(entry.organisation_name) }}</div>
      <EntryFacts :entry="entry" />
    </a>
    <nav v-if="pages > 1" class="console-links" :aria-label="t('mm.pool.pages')">
      <button type="button" class="secondary" :disabled="page <= 1" @click="turn(-1)">{{ t("mm.pool.previous") }}</button>
      <span>{{ t("mm.pool.page", { page, pages }) }}</span>
      <button type="button" class="secondary" :disabled="page >= pages" @click="turn(1)">{{ t("mm.pool.next") }}</button>
    </nav>
    <OwnEntries v-if="me.user && me.user.memberships.length" />`,
};

// The moves the page offers, by who may make them (events/matchmaking/pool.py: TRANSITIONS).
const OWNER_MOVES = { draft: ["submitted", "closed"], submitted: ["draft", "closed"], published: ["matched", "closed"], matched: ["closed"] };
const CURATOR_MOVES = { submitted: ["published", "draft", "closed"], published: ["matched", "closed"], matched: ["closed"] };

export const PoolEntryPage = {
  components: { EntryFacts },
  props: ["id"],
  setup(props) {
    const entry = ref(null);
    const state = reactive({ busy: false, errors: {}, banner: "", done: "" });
    const missing = ref(false);
    onMounted(async () => {
      try {
        [entry.value] = await Promise.all([api(`/pool-entries/${props.id}`), loadPlaces()]);
      } catch (error) {
        missing.value = true;
        state.banner = failure(error);
      }
    });
    const owner = computed(() => entry.value && memberOf(entry.value.organisation_id));
    const moves = computed(() => {
      if (!entry.value) return [];
      const found = new Set([...(owner.value ? OWNER_MOVES[entry.value.state] || [] : []),
                             ...(curates() ? CURATOR_MOVES[entry.value.state] || [] : [])]);
      return [...found];
    });
    async function move(to) {
      const moved = await attempt(state, [], () => api(`/pool-entries/${props.id}/state`, { method: "POST", body: { state: to } }));
      if (moved) {
        entry.value = moved;
        state.done = t("mm.state.done", { state: t("mm.state." + moved.state) });
      }
    }
    return { entry, state, missing, owner, moves, move, me, link, t, pick, regionName };
  },
  template: `
    <p v-if="missing" class="banner" role="alert">{{ state.banner }}</p>
    <article v-else-if="entry" class="card">
      <h1>{{ pick(entry.title) }}</h1>
      <p>{{ pick(entry.organisation_name) }} <span class="badge wait">{{ t("mm.state." + entry.state) }}</span></p>
      <p><EntryFacts :entry="entry" /></p>
      <div class="markdown" v-html="entry.description_html"></div>
      <dl class="pool-facts">
        <template v-if="entry.expected_timing"><dt>{{ t("mm.field.expected_timing") }}</dt><dd>{{ entry.expected_timing }}</dd></template>
        <template v-if="entry.budget_band"><dt>{{ t("mm.field.budget_band") }}</dt><dd>{{ t("mm.budget." + entry.budget_band) }}</dd></template>
        <template v-if="entry.reference_cases.length"><dt>{{ t("mm.field.reference_cases") }}</dt>
          <dd><ul><li v-for="c in entry.reference_cases" :key="c">{{ c }}</li></ul></dd></template>
      </dl>
      <section aria-labelledby="contact-heading">
        <h2 id="contact-heading">{{ t("mm.field.contact") }}</h2>
        <p v-if="entry.contact" data-test="contact">{{ entry.contact.name }} · {{ entry.contact.phone }} ·
          <a :href="'mailto:' + entry.contact.email">{{ entry.contact.email }}</a></p>
        <p v-else class="muted" data-test="contact-hidden">{{ t("mm.pool.contact_sign_in") }}
          <a v-bind="link('/login')">{{ t("nav.login") }}</a></p>
      </section>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
      <div class="console-links">
        <a v-if="owner && entry.state === 'draft'" class="button" v-bind="link('/pool/' + entry.id + '/edit')">{{ t("mm.pool.edit") }}</a>
        <button v-for="to in moves" :key="to" type="button" :class="{ secondary: to === 'closed' || to === 'draft' }"
                :disabled="state.busy" @click="move(to)">{{ t("mm.move." + entry.state + "." + to) }}</button>
      </div>
    </article>`,
};

const blank = (organisationId, kind) => ({
  organisation_id: organisationId, kind, title: { zh: "", en: "" }, description: "", domains: [], region: "",
  expected_timing: "", budget_band: "", maturity: "", reference_cases: "", contact: { name: "", phone: "", email: "" },
});

// The body the API takes: the other kind's fields left out, empty optional choices as null, one case a line.
function body(form, creating) {
  const need = form.kind === "need";
  const fields = {
    title: form.title, description: form.description, domains: form.domains, contact: form.contact,
    ...(need ? { region: form.region || null, expected_timing: form.expected_timing, budget_band: form.budget_band || null }
      : { maturity: form.maturity || null, reference_cases: form.reference_cases.split("\n").map((c) => c.trim()).filter(Boolean) }),
  };
  return creating ? { organisation_id: form.organisation_id, kind: form.kind, ...fields } : fields;
}

// A draft need or solution: new (`/pool/new?org=`) or an existing draft (`/pool/{id}/edit`); saving keeps it a
// draft, "save and submit" sends it to the curators.
export const PoolEditor = {
  components: { I18nInputs },
  props: ["id"],
  setup(props) {
    const form = reactive(blank(Number(route.query.get("org")), route.query.get("kind") === "solution" ? "solution" : "need"));
    const state = reactive({ busy: false, errors: {}, banner: "", done: "" });
    const ready = ref(!props.id);
    const SHOWN = ["title", "description", "domains", "region", "expected_timing", "budget_band", "maturity", "reference_cases", "contact"];
    onMounted(async () => {
      try {
        await loadPlaces();
        if (props.id) {
          const entry = await api(`/pool-entries/${props.id}`);
          Object.assign(form, {
            ...entry, title: { zh: entry.title.zh, en: entry.title.en }, region: entry.region || "", budget_band: entry.budget_band || "",
            maturity: entry.maturity || "", reference_cases: entry.reference_cases.join("\n"), contact: { ...entry.contact },
          });
        }
      } catch (error) {
        state.banner = failure(error);
      }
      ready.value = true;
    });
    async function save(submit) {
      const saved = await attempt(state, SHOWN, async () => {
        const creating = !props.id;
        const entry = await api(creating ? "/pool-entries" : `/pool-entries/${props.id}`,
                                { method: creating ? "POST" : "PATCH", body: body(form, creating) });
        return submit ? api(`/pool-entries/${entry.id}/state`, { method: "POST", body: { state: "submitted" } }) : entry;
      });
      if (saved) go(`/pool/${saved.id}`);
    }
    const error = (name) => fieldError(state.errors, name);
    const described = (name) => (error(name) ? `pe-${name}-error` : null);
    return { form, state, ready, save, error, described, places, t, pick, KINDS, MATURITIES, BUDGETS };
  },
  template: `
    <h1>{{ id ? t("mm.pool.edit_heading") : t("mm.pool.new_heading") }}</h1>
    <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
    <form v-if="ready" class="card" novalidate @submit.prevent="save(false)">
      <fieldset v-if="!id" class="checks"><legend>{{ t("mm.pool.kind") }}</legend>
        <label v-for="kind in KINDS" :key="kind"><input type="radio" name="kind" :value="kind" v-model="form.kind">{{ t("mm.kind." + kind) }}</label>
      </fieldset>
      <I18nInputs v-model="form.title" name="title" :label="t('mm.field.title')" :errors="state.errors" required prefix="pe" />
      <label for="pe-description">{{ t("mm.field.description") }}</label>
      <textarea id="pe-description" v-model="form.description" rows="6" :aria-invalid="!!error('description')"
                :aria-describedby="described('description')"></textarea>
      <div v-if="error('description')" id="pe-description-error" class="field-error">{{ error("description") }}</div>
      <fieldset class="checks" :aria-describedby="described('domains')"><legend>{{ t("mm.field.domains") }} *</legend>
        <label v-for="d in places.domains" :key="d.code"><input type="checkbox" :value="d.code" v-model="form.domains">{{ pick(d.name) }}</label>
        <div v-if="error('domains')" id="pe-domains-error" class="field-error">{{ error("domains") }}</div>
      </fieldset>
      <template v-if="form.kind === 'need'">
        <label for="pe-region">{{ t("list.region") }} *</label>
        <select id="pe-region" v-model="form.region" :aria-invalid="!!error('region')" :aria-describedby="described('region')">
          <option value="">{{ t("mm.pool.choose") }}</option>
          <option v-for="r in places.regions" :key="r.code" :value="r.code">{{ pick(r.name) }}</option></select>
        <div v-if="error('region')" id="pe-region-error" class="field-error">{{ error("region") }}</div>
        <label for="pe-expected_timing">{{ t("mm.field.expected_timing") }} *</label>
        <input id="pe-expected_timing" v-model="form.expected_timing" :aria-invalid="!!error('expected_timing')"
               :aria-describedby="described('expected_timing')">
        <div v-if="error('expected_timing')" id="pe-expected_timing-error" class="field-error">{{ error("expected_timing") }}</div>
        <label for="pe-budget_band">{{ t("mm.field.budget_band") }}</label>
        <select id="pe-budget_band" v-model="form.budget_band">
          <option value="">{{ t("mm.pool.not_given") }}</option>
          <option v-for="b in BUDGETS" :key="b" :value="b">{{ t("mm.budget." + b) }}</option></select>
      </template>
      <template v-else>
        <label for="pe-maturity">{{ t("mm.field.maturity") }} *</label>
        <select id="pe-maturity" v-model="form.maturity" :aria-invalid="!!error('maturity')" :aria-describedby="described('maturity')">
          <option value="">{{ t("mm.pool.choose") }}</option>
          <option v-for="m in MATURITIES" :key="m" :value="m">{{ t("mm.maturity." + m) }}</option></select>
        <div v-if="error('maturity')" id="pe-maturity-error" class="field-error">{{ error("maturity") }}</div>
        <label for="pe-reference_cases">{{ t("mm.field.reference_cases") }}</label>
        <textarea id="pe-reference_cases" v-model="form.reference_cases" rows="3" aria-describedby="pe-cases-hint"
                  :aria-invalid="!!error('reference_cases')"></textarea>
        <div id="pe-cases-hint" class="muted">{{ t("mm.pool.cases_hint") }}</div>
        <div v-if="error('reference_cases')" class="field-error">{{ error("reference_cases") }}</div>
      </template>
      <fieldset><legend>{{ t("mm.field.contact") }}</legend>
        <template v-for="part in ['name', 'phone', 'email']" :key="part">
          <label :for="'pe-contact-' + part">{{ t("mm.contact." + part) }} *</label>
          <input :id="'pe-contact-' + part" v-model="form.contact[part]" :type="part === 'email' ? 'email' : part === 'phone' ? 'tel' : 'text'"
                 :aria-invalid="!!error('contact.' + part)" :aria-describedby="error('contact.' + part) ? 'pe-contact-' + part + '-error' : null">
          <div v-if="error('contact.' + part)" :id="'pe-contact-' + part + '-error'" class="field-error">{{ error("contact." + part) }}</div>
        </template>
      </fieldset>
      <div class="console-links">
        <button type="submit" :disabled="state.busy">{{ t("mm.pool.save_draft") }}</button>
        <button type="button" class="secondary" :disabled="state.busy" @click="save(true)">{{ t("mm.pool.save_submit") }}</button>
      </div>
    </form>`,
};
