// The organiser's judging screens for a competition (/console/events/{id}/judging): per stage the rubric, the panel
// of judges and the conflicts, the automatic assignment and each judge's progress, the ranking per track with the
// rule that decided each place, advancing teams, 公示 and the final results, and the XLSX export.
// Each section answers in its own line (event-admin.js's Feedback); the server decides, the page only shows.
import { computed, onMounted, reactive, ref, watch } from "./vue.js";
import { api, ApiError, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { at } from "./format.js";
import { me } from "./account.js";
import { link } from "./router.js";
import { Feedback, feedback } from "./event-admin.js";

// The five criteria, offered while a stage has no rubric yet.
const SUGGESTED = [
  ["innovation", "创新性", "Innovation", 30], ["technology", "技术先进性", "Technology", 25],
  ["value", "应用价值", "Application value", 20], ["feasibility", "落地可行性", "Feasibility", 15],
  ["team", "团队", "Team", 10],
].map(([key, zh, en, weight]) => ({ key, zh, en, weight, minimum: 0, maximum: 10, anchors: "" }));

// Anchors are typed one a line: "8=原创性强|Clearly original".
const anchorsText = (anchors) => anchors.map((a) => `${a.score}=${a.text.zh}${a.text.en ? "|" + a.text.en : ""}`).join("\n");
function parseAnchors(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [, score, rest] = /^(-?\d+)\s*[=:：]\s*(.*)$/.exec(line) || [null, line, ""];
    const [zh, en = ""] = rest.split("|").map((part) => part.trim());
    return { score: Number(score), text: { zh, en } };
  });
}

const Rubric = {
  components: { Feedback },
  props: ["base", "stage", "notice"],
  setup(props) {
    const criteria = ref([]);
    const judgesPerEntry = ref(3);
    const fields = ref({});
    const tieBreak = ref([]);
    async function refresh() {
      try {
        const rubric = await api(`${props.base}/stages/${props.stage.id}/rubric`);
        criteria.value = rubric.criteria.map((c) => ({
          key: c.key, zh: c.label.zh, en: c.label.en || "", weight: c.weight, minimum: c.minimum, maximum: c.maximum,
          anchors: anchorsText(c.anchors),
        }));
        judgesPerEntry.value = rubric.judges_per_entry;
        tieBreak.value = rubric.tie_break;
      } catch (error) {
        if (!(error instanceof ApiError && error.problem.status === 409)) props.notice.fail("rubric", error);
        criteria.value = SUGGESTED.map((c) => ({ ...c }));
      }
    }
    async function save() {
      fields.value = {};
      const body = {
        judges_per_entry: judgesPerEntry.value,
        criteria: criteria.value.map((c) => ({
          key: c.key, label: { zh: c.zh, en: c.en }, weight: c.weight, minimum: c.minimum, maximum: c.maximum,
          anchors: parseAnchors(c.anchors),
        })),
      };
      try {
        tieBreak.value = (await api(`${props.base}/stages/${props.stage.id}/rubric`, { method: "PUT", body })).tie_break;
        props.notice.ok("rubric", t("judging.rubric_saved"));
      } catch (error) {
        if (error instanceof ApiError) fields.value = error.fields;
        props.notice.fail("rubric", error);
      }
    }
    const add = () => criteria.value.push({ key: "", zh: "", en: "", weight: 10, minimum: 0, maximum: 10, anchors: "" });
    const err = (i, name) => fields.value[`criteria.${i}.${name}`] || (name === "anchors" && fields.value[`criteria.${i}.anchors.0.score`]);
    onMounted(refresh);
    watch(() => props.stage.id, refresh);
    return { criteria, judgesPerEntry, tieBreak, save, add, err, fields, t };
  },
  template: `
    <section class="card" aria-labelledby="jr-heading">
      <h2 id="jr-heading">{{ t("judging.rubric") }}</h2>
      <p class="muted">{{ t("judging.rubric_explain") }}</p>
      <form novalidate @submit.prevent="save">
        <fieldset v-for="(c, i) in criteria" :key="i" class="criterion-edit">
          <legend>{{ t("judging.criterion_n", { n: i + 1 }) }}</legend>
          <div class="grid-2">
            <label>{{ t("judging.criterion_key") }}<input v-model.trim="c.key" maxlength="40" :aria-invalid="!!err(i, 'key')"></label>
            <label>{{ t("judging.weight") }}<input v-model.number="c.weight" type="number" min="0" step="any" :aria-invalid="!!err(i, 'weight')"></label>
            <label>{{ t("judging.label_zh") }}<input v-model="c.zh" maxlength="200"></label>
            <label>{{ t("judging.label_en") }}<input v-model="c.en" maxlength="200"></label>
            <label>{{ t("judging.minimum") }}<input v-model.number="c.minimum" type="number" min="0"></label>
            <label>{{ t("judging.maximum") }}<input v-model.number="c.maximum" type="number" min="1"></label>
          </div>
          <label>{{ t("judging.anchors") }}<textarea v-model="c.anchors" rows="3" :placeholder="t('judging.anchors_hint')"></textarea></label>
          <div v-for="name in ['key', 'weight', 'label.zh', 'maximum', 'anchors']" :key="name">
            <div v-if="err(i, name)" class="field-error">{{ t("judging.field." + name.replace('.', '_')) }}：{{ err(i, name) }}</div></div>
          <button type="button" class="secondary small" @click="criteria.splice(i, 1)">{{ t("judging.remove_criterion", { n: i + 1 }) }}</button>
        </fieldset>
        <button type="button" class="secondary" @click="add">{{ t("judging.add_criterion") }}</button>
        <label for="jr-k">{{ t("judging.judges_per_entry") }}</label>
        <input id="jr-k" v-model.number="judgesPerEntry" type="number" min="3" max="20"
               :aria-describedby="fields.judges_per_entry ? 'jr-k-error' : undefined">
        <div v-if="fields.judges_per_entry" id="jr-k-error" class="field-error">{{ fields.judges_per_entry }}</div>
        <div v-if="fields.criteria" class="field-error">{{ fields.criteria }}</div>
        <div><button type="submit">{{ t("judging.save_rubric") }}</button></div>
      </form>
      <Feedback :state="notice.state" at="rubric" />
    </section>`,
};

// The panel (members holding the judge role, their tracks, on or off) and the conflicts of interest.
const Panel = {
  components: { Feedback },
  props: ["base", "event", "competition", "entries", "notice", "judges", "conflicts"],
  emits: ["changed"],
  setup(props, { emit }) {
    const members = ref([]);
    const form = reactive({ user_id: "", track_ids: [], stage_ids: [], affiliation: "" });
    const conflict = reactive({ judge_id: "", team_id: "", reason: "" });
    const fields = ref({});
    onMounted(async () => {
      try {
        members.value = (await api(`/organisations/${props.event.organisation_id}/members`)).filter((m) => m.role === "judge");
      } catch (error) {
        props.notice.fail("panel", error);
      }
    });
    const candidates = computed(() => members.value.filter((m) => !props.judges.some((j) => j.user_id === m.user_id)));
    const trackName = (id) => pick(props.competition.tracks.find((track) => track.id === id)?.name);
    const stageNames = (ids) => (ids.length ? ids.map((id) => pick(props.competition.stages.find((s) => s.id === id)?.name)).join("、")
      : t("judging.every_stage"));
    const judgeName = (id) => props.judges.find((j) => j.user_id === id)?.name || `#${id}`;
    const teamName = (id) => props.entries.find((e) => e.team_id === id)?.team_name || `#${id}`;
    async function put(body, at, message) {
      fields.value = {};
      try {
        await api(`${props.base}/judges`, { method: "POST", body });
        props.notice.ok(at, message);
        emit("changed");
        return true;
      } catch (error) {
        if (error instanceof ApiError) fields.value = error.fields;
        props.notice.fail(at, error);
        return false;
      }
    }
    async function add() {
      const body = { user_id: Number(form.user_id), track_ids: form.track_ids, stage_ids: form.stage_ids, affiliation: form.affiliation };
      const name = members.value.find((m) => m.user_id === body.user_id)?.name || "";
      if (await put(body, "panel", t("judging.judge_added", { name }))) Object.assign(form, { user_id: "", track_ids: [], stage_ids: [], affiliation: "" });
    }
    const toggle = (judge) => put({ ...judge, name: undefined, active: !judge.active },
      "panel", t(judge.active ? "judging.judge_off" : "judging.judge_on", { name: judge.name }));
    async function record() {
      fields.value = {};
      try {
        await api(`${props.base}/conflicts`, {
          method: "POST", body: { judge_id: Number(conflict.judge_id), team_id: Number(conflict.team_id), reason: conflict.reason },
        });
        props.notice.ok("conflicts", t("judging.conflict_saved"));
        Object.assign(conflict, { judge_id: "", team_id: "", reason: "" });
        emit("changed");
      } catch (error) {
        if (error instanceof ApiError) fields.value = error.fields;
        props.notice.fail("conflicts", error);
      }
    }
    return { members, candidates, form, conflict, fields, add, toggle, record, trackName, stageNames, judgeName, teamName, t, pick };
  },
  template: `
    <section class="card" aria-labelledby="jp-heading">
      <h2 id="jp-heading">{{ t("judging.panel") }}</h2>
      <p v-if="!judges.length" class="muted">{{ t("judging.panel_empty") }}</p>
      <div v-else class="admin-table"><table :aria-label="t('judging.panel')">
        <thead><tr><th scope="col">{{ t("judging.judge") }}</th><th scope="col">{{ t("judging.tracks") }}</th>
          <th scope="col">{{ t("judging.stages") }}</th><th scope="col">{{ t("judging.affiliation") }}</th>
          <th scope="col">{{ t("judging.active") }}</th></tr></thead>
        <tbody><tr v-for="judge in judges" :key="judge.user_id">
          <td>{{ judge.name }}</td><td>{{ judge.track_ids.map(trackName).join("、") }}</td><td>{{ stageNames(judge.stage_ids) }}</td>
          <td>{{ judge.affiliation }}</td>
          <td><button type="button" class="secondary small" :aria-pressed="String(judge.active)" @click="toggle(judge)"
                      :aria-label="t('judging.active_toggle', { state: t(judge.active ? 'judging.on' : 'judging.off'), name: judge.name })">{{ t(judge.active ? "judging.on" : "judging.off") }}</button></td>
        </tr></tbody>
      </table></div>
      <form novalidate @submit.prevent="add" class="inline-form">
        <h3>{{ t("judging.add_judge") }}</h3>
        <p v-if="!members.length" class="muted">{{ t("judging.no_judge_members") }}</p>
        <label for="jp-user">{{ t("judging.judge") }}</label>
        <select id="jp-user" v-model="form.user_id" :aria-describedby="fields.user_id ? 'jp-user-error' : undefined">
          <option value="">{{ t("judging.choose") }}</option>
          <option v-for="m in candidates" :key="m.user_id" :value="m.user_id">{{ m.name }}（{{ m.email }}）</option>
        </select>
        <div v-if="fields.user_id" id="jp-user-error" class="field-error">{{ fields.user_id }}</div>
        <fieldset>
          <legend>{{ t("judging.tracks") }}</legend>
          <label v-for="track in competition.tracks" :key="track.id" class="check">
            <input type="checkbox" :value="track.id" v-model="form.track_ids"> {{ pick(track.name) }}</label>
        </fieldset>
        <div v-if="fields.track_ids" class="field-error">{{ fields.track_ids }}</div>
        <fieldset aria-describedby="jp-stages-hint">
          <legend>{{ t("judging.stages") }}</legend>
          <label v-for="s in competition.stages" :key="s.id" class="check">
            <input type="checkbox" :value="s.id" v-model="form.stage_ids"> {{ pick(s.name) }}</label>
        </fieldset>
        <p id="jp-stages-hint" class="muted">{{ t("judging.stages_hint") }}</p>
        <label for="jp-aff">{{ t("judging.affiliation") }}</label>
        <input id="jp-aff" v-model="form.affiliation" maxlength="200" aria-describedby="jp-aff-hint">
        <p id="jp-aff-hint" class="muted">{{ t("judging.affiliation_hint") }}</p>
        <button type="submit">{{ t("judging.add_judge") }}</button>
      </form>
      <Feedback :state="notice.state" at="panel" />
    </section>
    <section class="card" aria-labelledby="jc-heading">
      <h2 id="jc-heading">{{ t("judging.conflicts") }}</h2>
      <p class="muted">{{ t("judging.conflicts_explain") }}</p>
      <ul v-if="conflicts.length">
        <li v-for="c in conflicts" :key="c.judge_id + '-' + c.team_id">
          {{ judgeName(c.judge_id) }} — {{ teamName(c.team_id) }}：{{ c.reason }}
          <span class="badge wait">{{ t("judging.source." + c.source) }}</span></li>
      </ul>
      <form novalidate @submit.prevent="record">
        <h3>{{ t("judging.record_conflict") }}</h3>
        <label for="jc-judge">{{ t("judging.judge") }}</label>
        <select id="jc-judge" v-model="conflict.judge_id">
          <option value="">{{ t("judging.choose") }}</option>
          <option v-for="judge in judges" :key="judge.user_id" :value="judge.user_id">{{ judge.name }}</option>
        </select>
        <label for="jc-team">{{ t("judging.team") }}</label>
        <select id="jc-team" v-model="conflict.team_id">
          <option value="">{{ t("judging.choose") }}</option>
          <option v-for="entry in entries" :key="entry.team_id" :value="entry.team_id">{{ entry.team_name }}</option>
        </select>
        <label for="jc-reason">{{ t("judging.reason") }}</label>
        <input id="jc-reason" v-model="conflict.reason" maxlength="500"
               :aria-describedby="fields.reason ? 'jc-reason-error' : undefined" :aria-invalid="!!fields.reason">
        <div v-if="fields.reason" id="jc-reason-error" class="field-error">{{ fields.reason }}</div>
        <button type="submit">{{ t("judging.record_conflict") }}</button>
      </form>
      <Feedback :state="notice.state" at="conflicts" />
    </section>`,
};

// Assignment and each judge's progress.
const Assignment = {
  components: { Feedback },
  props: ["base", "stage", "notice", "version"],
  emits: ["changed"],
  setup(props, { emit }) {
    const progress = ref([]);
    const stagePath = computed(() => `${props.base}/stages/${props.stage.id}`);
    async function refresh() {
      try {
        progress.value = await api(`${stagePath.value}/progress`);
      } catch (error) {
        props.notice.fail("assign", error);
      }
    }
    async function run() {
      try {
        const answer = await api(`${stagePath.value}/assignment`, { method: "POST", body: {} });
        props.notice.ok("assign", t("judging.assigned", { added: answer.added, withdrawn: answer.withdrawn }));
        emit("changed");
      } catch (error) {
        props.notice.fail("assign", error);
      }
    }
    onMounted(refresh);
    watch(() => [props.stage.id, props.version], refresh);
    return { progress, run, t };
  },
  template: `
    <section class="card" aria-labelledby="ja-heading">
      <h2 id="ja-heading">{{ t("judging.assignment") }}</h2>
      <p class="muted">{{ t("judging.assignment_explain") }}</p>
      <button type="button" @click="run">{{ t("judging.assign") }}</button>
      <Feedback :state="notice.state" at="assign" />
      <h3>{{ t("judging.judge_progress") }}</h3>
      <p v-if="!progress.length" class="muted">{{ t("judging.no_assignments") }}</p>
      <div v-else class="admin-table"><table data-test="progress" :aria-label="t('judging.judge_progress')">
        <thead><tr><th scope="col">{{ t("judging.judge") }}</th><th scope="col">{{ t("judging.col_assigned") }}</th>
          <th scope="col">{{ t("judging.col_cleared") }}</th><th scope="col">{{ t("judging.col_submitted") }}</th></tr></thead>
        <tbody><tr v-for="row in progress" :key="row.judge_id">
          <td>{{ row.name }}</td><td>{{ row.assigned }}</td><td>{{ row.cleared }}</td>
          <td>{{ row.submitted }} <progress :value="row.submitted" :max="row.assigned"
                :aria-label="t('judging.progress', { done: row.submitted, total: row.assigned })"></progress></td>
        </tr></tbody>
      </table></div>
    </section>`,
};

// The ranking per track, advancing teams into the next stage, and the XLSX export.
const Ranking = {
  components: { Feedback },
  props: ["base", "stage", "next", "competition", "entries", "notice", "version"],
  emits: ["changed"],
  setup(props, { emit }) {
    const ranking = ref(null);
    const places = ref(1);
    const chosen = ref([]);
    const fields = ref({});
    const stagePath = computed(() => `${props.base}/stages/${props.stage.id}`);
    async function refresh() {
      try {
        ranking.value = await api(`${stagePath.value}/ranking`);
      } catch (error) {
        ranking.value = null;
        if (!(error instanceof ApiError && error.problem.status === 409)) props.notice.fail("ranking", error);
      }
    }
    async function advance() {
      fields.value = {};
      try {
        const carried = await api(`${stagePath.value}/advance`, {
          method: "POST", body: { places: places.value, chosen: chosen.value.map((c) => ({ team_id: Number(c.team_id), reason: c.reason })) },
        });
        props.notice.ok("advance", t("judging.advanced", { n: carried.length, stage: pick(props.next.name) }));
        chosen.value = [];
        emit("changed");
      } catch (error) {
        if (error instanceof ApiError) fields.value = error.fields;
        props.notice.fail("advance", error);
      }
    }
    const trackName = (id) => pick(props.competition.tracks.find((track) => track.id === id)?.name);
    const teamName = (id) => props.entries.find((e) => e.team_id === id)?.team_name || `#${id}`;
    const export_ = computed(() => `/api/v1${stagePath.value}/scores.xlsx`);
    onMounted(refresh);
    watch(() => [props.stage.id, props.version], refresh);
    return { ranking, places, chosen, fields, advance, trackName, teamName, exportUrl: export_, t, pick };
  },
  template: `
    <section class="card" aria-labelledby="jk-heading">
      <h2 id="jk-heading">{{ t("judging.ranking") }}</h2>
      <Feedback :state="notice.state" at="ranking" />
      <template v-if="ranking">
        <p class="muted">{{ t("judging.tie_break") }}
          <span v-for="(rule, i) in ranking.tie_break" :key="rule">{{ i ? " → " : "" }}{{ t("judging.rule." + rule) }}</span></p>
        <div v-for="track in ranking.tracks" :key="track.track_id" class="admin-table">
          <table :data-test="'ranking-' + track.track_id">
            <caption>{{ trackName(track.track_id) }}</caption>
            <thead><tr><th scope="col">{{ t("judging.rank") }}</th><th scope="col">{{ t("judging.team") }}</th>
              <th scope="col">{{ t("judging.sheets") }}</th><th scope="col">{{ t("judging.raw_mean") }}</th>
              <th scope="col">{{ t("judging.normalised_mean") }}</th><th scope="col">{{ t("judging.decided_by") }}</th></tr></thead>
            <tbody><tr v-for="row in track.ranked" :key="row.team_id">
              <td>{{ row.rank }}</td><td>{{ row.team_name }}</td><td>{{ row.sheets }}</td><td>{{ row.raw_mean.toFixed(2) }}</td>
              <td>{{ row.normalised_mean.toFixed(3) }}</td><td>{{ row.decided_by ? t("judging.rule." + row.decided_by) : "—" }}</td>
            </tr></tbody>
          </table>
          <p v-if="track.unscored.length" class="muted">{{ t("judging.unscored") }}{{ track.unscored.map(teamName).join("、") }}</p>
        </div>
        <p><a :href="exportUrl" download>{{ t("judging.export") }}</a></p>
      </template>
      <form v-if="next" novalidate @submit.prevent="advance">
        <h3>{{ t("judging.advance_to", { stage: pick(next.name) }) }}</h3>
        <label for="jk-places">{{ t("judging.places") }}</label>
        <input id="jk-places" v-model.number="places" type="number" min="0" max="1000"
               :aria-describedby="fields.places ? 'jk-places-error' : undefined">
        <div v-if="fields.places" id="jk-places-error" class="field-error">{{ fields.places }}</div>
        <fieldset v-for="(c, i) in chosen" :key="i">
          <legend>{{ t("judging.chosen_n", { n: i + 1 }) }}</legend>
          <label>{{ t("judging.team") }}<select v-model="c.team_id">
            <option value="">{{ t("judging.choose") }}</option>
            <option v-for="entry in entries" :key="entry.team_id" :value="entry.team_id">{{ entry.team_name }}</option>
          </select></label>
          <label>{{ t("judging.reason") }}<input v-model="c.reason" maxlength="500"></label>
          <div v-if="fields['chosen.' + i + '.reason']" class="field-error">{{ fields["chosen." + i + ".reason"] }}</div>
        </fieldset>
        <button type="button" class="secondary" @click="chosen.push({ team_id: '', reason: '' })">{{ t("judging.add_chosen") }}</button>
        <div><button type="submit">{{ t("judging.advance") }}</button></div>
        <Feedback :state="notice.state" at="advance" />
      </form>
    </section>`,
};

// 公示 (notice) and the final publication.
const Results = {
  components: { Feedback },
  props: ["base", "stage", "event", "notice", "version"],
  setup(props) {
    const results = ref(null);
    const days = ref(7);
    const stagePath = computed(() => `${props.base}/stages/${props.stage.id}`);
    async function refresh() {
      try {
        results.value = await api(`${stagePath.value}/results`);
      } catch (error) {
        results.value = null;
        if (!(error instanceof ApiError && error.problem.status === 404)) props.notice.fail("results", error);
      }
    }
    async function act(path, body, message) {
      try {
        results.value = await api(`${stagePath.value}/results/${path}`, { method: "POST", body });
        props.notice.ok("results", message);
      } catch (error) {
        props.notice.fail("results", error);
      }
    }
    const putOnNotice = () => act("notice", { notice_until: new Date(Date.now() + days.value * 86_400_000).toISOString() },
      t("judging.noticed"));
    const publish = () => act("publish", undefined, t("judging.published"));
    onMounted(refresh);
    watch(() => [props.stage.id, props.version], refresh);
    return { results, days, putOnNotice, publish, at, t };
  },
  template: `
    <section class="card" aria-labelledby="jn-heading">
      <h2 id="jn-heading">{{ t("judging.results") }}</h2>
      <template v-if="!results">
        <p class="muted">{{ t("judging.notice_explain") }}</p>
        <form novalidate @submit.prevent="putOnNotice">
          <label for="jn-days">{{ t("judging.notice_days") }}</label>
          <input id="jn-days" v-model.number="days" type="number" min="1" max="60">
          <div><button type="submit">{{ t("judging.put_on_notice") }}</button></div>
        </form>
      </template>
      <template v-else>
        <p data-test="results-state"><span class="badge" :class="{ wait: !results.final }">
          {{ t(results.final ? "judging.final" : "judging.on_notice") }}</span>
          {{ results.final ? t("judging.published_at", { at: at(results.published_at, event) })
                           : t("judging.notice_until", { at: at(results.notice_until, event) }) }}</p>
        <button v-if="!results.final" type="button" @click="publish">{{ t("judging.publish") }}</button>
      </template>
      <Feedback :state="notice.state" at="results" />
    </section>`,
};

export const JudgingAdmin = {
  components: { Rubric, Panel, Assignment, Ranking, Results },
  props: ["id"],
  setup(props) {
    const event = ref(null);
    const competition = ref(null);
    const stageId = ref(null);
    const judges = ref([]);
    const conflicts = ref([]);
    const entries = ref([]);
    const denied = ref("");
    const version = ref(0);  // bumped after each change, so the sections that depend on it look again
    const notice = feedback();
    const base = `/events/${props.id}/competition`;
    const stage = computed(() => competition.value?.stages.find((s) => s.id === stageId.value));
    const next = computed(() => {
      const stages = competition.value?.stages || [];
      return stages[stages.findIndex((s) => s.id === stageId.value) + 1] || null;
    });
    async function refresh() {
      try {
        [judges.value, conflicts.value, entries.value] = await Promise.all([
          api(`${base}/judges`), api(`${base}/conflicts`), api(`${base}/stages/${stageId.value}/entries`),
        ]);
      } catch (error) {
        denied.value = failure(error);
      }
    }
    onMounted(async () => {
      if (!me.user) return;
      try {
        [event.value, competition.value] = await Promise.all([api(`/events/${props.id}`), api(base)]);
        stageId.value = competition.value.stages[0].id;
        await refresh();
      } catch (error) {
        denied.value = failure(error);
      }
    });
    watch(stageId, (now, before) => before && refresh());
    function changed() {
      version.value += 1;
      refresh();
    }
    return { event, competition, stageId, stage, next, judges, conflicts, entries, denied, version, notice, base, changed, me, t, pick, link };
  },
  template: `
    <h1 v-if="!me.user">{{ t("judging.admin") }}</h1>
    <p v-if="!me.user" class="banner" role="alert">{{ t("admin.sign_in") }} <a v-bind="link('/login')">{{ t("nav.login") }}</a></p>
    <div v-else class="admin-page">
      <p class="muted"><a v-bind="link('/console/events/' + id)">← {{ t("judging.back_to_event") }}</a></p>
      <p v-if="denied" class="banner" role="alert">{{ denied }}</p>
      <template v-if="event && competition && stage">
        <h1>{{ t("judging.admin") }} · {{ pick(event.title) }}</h1>
        <label for="j-stage">{{ t("judging.stage") }}</label>
        <select id="j-stage" v-model="stageId">
          <option v-for="s in competition.stages" :key="s.id" :value="s.id">{{ pick(s.name) }}（{{ t("judging.deadline", { at: s.deadline_local }) }}）</option>
        </select>
        <p class="muted">{{ t("judging.entries_count", { n: entries.length }) }}</p>
        <Rubric :base="base" :stage="stage" :notice="notice" />
        <Panel :base="base" :event="event" :competition="competition" :entries="entries" :judges="judges"
               :conflicts="conflicts" :notice="notice" @changed="changed" />
        <Assignment :base="base" :stage="stage" :notice="notice" :version="version" @changed="changed" />
        <Ranking :base="base" :stage="stage" :next="next" :competition="competition" :entries="entries"
                 :notice="notice" :version="version" @changed="changed" />
        <Results :base="base" :stage="stage" :event="event" :notice="notice" :version="version" />
      </template>
    </div>`,
};
