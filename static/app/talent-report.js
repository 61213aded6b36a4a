// One trainee report: the form with the server's rule findings as the reporter types, save and submit, the
// bureau's approve and return, and every change below. Also the bureau's queue of reports awaiting review.
import { ref, reactive, computed, watch, onMounted, onBeforeUnmount } from "./vue.js";
import { api, ApiError, failure, newestOnly } from "./api.js";
import { i18n, t, pick } from "./i18n.js";
import { me } from "./account.js";
import { go } from "./router.js";

// The same path names the page and the API resource.
export const reportPath = (base, period, programme) => `/talent/reports/${base}/${period}/${programme}`;

// Periods, due and lock dates are days in the city's zone.
export const cityDay = (instant) => new Date(instant).toLocaleDateString("en-CA", { timeZone: "Asia/Shanghai" });
export const cityToday = () => cityDay(new Date());

const COUNTS = ["opening", "new_male", "new_female", "completed", "dropped", "employed_jinan", "employed_elsewhere", "training_hours"];
const SECTIONS = [
  ["talent.section.trainees", ["opening", "new_male", "new_female", "completed", "dropped"]],
  ["talent.section.employment", ["employed_jinan", "employed_elsewhere", "training_hours"]],
];
const VALIDATE_AFTER_MS = 400;


const History = {
  props: ["entries", "levels"],
  setup(props) {
    const levelName = (code) => pick(props.levels.find((l) => l.code === code)) || code;
    function shown(name, value) {
      if (value === null || value === undefined) return "—";
      if (name === "status") return t("talent.status." + value);
      if (name === "levels") {
        const parts = Object.entries(value).map(([code, c]) =>
          t("talent.history.level", { level: levelName(code), assessed: c.assessed ?? 0, certified: c.certified ?? 0 }));
        return parts.join("；") || "—";
      }
      return String(value);
    }
    function changes(entry) {
      const names = [...new Set([...Object.keys(entry.before || {}), ...Object.keys(entry.after || {})])];
      return names.filter((name) => name !== "comment").map((name) => ({
        name: t("talent.field." + name), before: shown(name, entry.before?.[name]), after: shown(name, entry.after?.[name]),
      }));
    }
    const when = (at) => new Date(at).toLocaleString(i18n.locale);
    return { changes, when, t };
  },
  template: `
    <section class="card" aria-labelledby="history-heading">
      <h2 id="history-heading">{{ t("talent.history.heading") }}</h2>
      <p v-if="!entries.length" class="muted">{{ t("talent.history.none") }}</p>
      <ol v-else class="talent-history">
        <li v-for="(entry, n) in entries" :key="n">
          <div><strong>{{ t("talent.action." + entry.action.split(".")[1]) }}</strong>
            <span class="muted"> · {{ entry.who }} · <time :datetime="entry.at">{{ when(entry.at) }}</time></span></div>
          <div v-for="c in changes(entry)" :key="c.name">{{ c.name }}：{{ c.before }} → {{ c.after }}</div>
          <div v-if="entry.after?.comment">{{ t("talent.report.comment") }}：{{ entry.after.comment }}</div>
        </li>
      </ol>
    </section>`,
};

export const ReportPage = {
  props: ["params"],
  components: { History },
  setup(props) {
    const [baseId, periodId, programmeId] = props.params;
    const path = reportPath(baseId, periodId, programmeId);
    const report = ref(null);
    const context = reactive({ base: null, period: null, programme: null, occupation: null });
    const form = reactive({ ...Object.fromEntries(COUNTS.map((name) => [name, 0])), levels: {} });
    const findings = ref([]);
    const closing = ref(0);
    const inputErrors = ref({});
    const refused = ref("");
    const banner = ref("");
    const done = ref("");
    const busy = ref(false);
    const history = ref([]);
    const comment = ref("");
    const commentError = ref("");
    const levels = computed(() => context.occupation?.levels || []);
    const editable = computed(() => !!report.value?.editable);
    const reviewing = computed(() => !!me.user?.is_admin && report.value?.status === "submitted");

    function fill(from) {
      report.value = from;
      for (const name of COUNTS) form[name] = from[name];
      form.levels = Object.fromEntries(levels.value.map((level) => [level.code, {
        assessed: from.levels[level.code]?.assessed ?? 0, certified: from.levels[level.code]?.certified ?? 0,
      }]));
      findings.value = from.findings;
      closing.value = from.closing;
    }
    const count = (value) => (value === "" || value === null ? 0 : Number(value));
    function body() {
      const levelCounts = Object.entries(form.levels)
        .map(([code, c]) => [code, { assessed: count(c.assessed), certified: count(c.certified) }])
        .filter(([, c]) => c.assessed || c.certified);
      return { ...Object.fromEntries(COUNTS.map((name) => [name, count(form[name])])), levels: Object.fromEntries(levelCounts) };
    }

    // Live findings: the server's rules judge the typed values (nothing saved); only the latest answer counts.
    let timer = null;
    const newest = newestOnly();
    async function validate() {
      try {
        const judged = await newest(() => api(`${path}/validate`, { method: "POST", body: body() }));
        if (!judged) return;
        inputErrors.value = {};
        findings.value = judged.answer.findings;
        closing.value = judged.answer.closing;
      } catch (error) {
        if (error instanceof ApiError && Object.keys(error.fields).length) inputErrors.value = error.fields;
        else banner.value = failure(error);
      }
    }
    watch(form, () => {
      if (!editable.value) return;
      clearTimeout(timer);
      timer = setTimeout(validate, VALIDATE_AFTER_MS);
    }, { deep: true });
    onBeforeUnmount(() => clearTimeout(timer));

    const inputKeys = computed(() => [...COUNTS, ...levels.value.flatMap((l) => [`levels.${l.code}.assessed`, `levels.${l.code}.certified`])]);
    const errorsByField = computed(() => {
      const found = { ...inputErrors.value };
      for (const f of findings.value.filter((f) => f.importance === "error")) {
        found[f.field] = found[f.field] ? `${found[f.field]} ${f.message}` : f.message;
      }
      return found;
    });
    const otherErrors = computed(() => Object.entries(errorsByField.value).filter(([key]) => !inputKeys.value.includes(key)).map(([, m]) => m));
    const warnings = computed(() => findings.value.filter((f) => f.importance === "warning"));
    const blocking = computed(() => Object.keys(errorsByField.value).length > 0);

    async function loadHistory() {
      history.value = await api(`${path}/history`);
    }
    onMounted(async () => {
      try {  // the report first: its refusal (another base's, no such programme) is what the page then says
        const loaded = await api(path);
        const [organisation, periods, programmes, occupations] = await Promise.all([
          api(`/organisations/${baseId}`),
          api("/talent/periods"),
          api(`/talent/programmes?base_id=${baseId}`),
          api("/talent/occupations"),
        ]);
        context.base = organisation;
        context.period = periods.find((p) => p.id === periodId);
        context.programme = programmes.find((p) => p.id === Number(programmeId));
        context.occupation = occupations.find((o) => o.code === context.programme?.occupation);
        fill(loaded);
        await loadHistory();
      } catch (error) {
        refused.value = failure(error);
      }
    });

    async function act(run, message) {
      banner.value = "";
      done.value = "";
      busy.value = true;
      try {
        await run();
        done.value = message;
        await loadHistory();
      } catch (error) {
        if (error instanceof ApiError) {
          const fields = { ...error.fields };
          if (fields.comment) commentError.value = fields.comment;
          delete fields.comment;
          inputErrors.value = fields;
          if (!Object.keys(error.fields).length || error.problem.status !== 422 || !reviewing.value) banner.value = failure(error);
        } else {
          banner.value = t("error.network");
        }
      } finally {
        busy.value = false;
      }
    }
    const save = () => act(async () => fill(await api(path, { method: "PUT", body: body() })), t("talent.report.saved"));
    const submit = () => act(async () => {
      fill(await api(path, { method: "PUT", body: body() }));
      fill(await api(`${path}/submit`, { method: "POST" }));
    }, t("talent.report.submitted"));
    const approve = () => act(async () => fill(await api(`${path}/approve`, { method: "POST" })), t("talent.report.approved"));
    function sendBack() {
      commentError.value = "";
      return act(async () => {
        fill(await api(`${path}/return`, { method: "POST", body: { comment: comment.value } }));
        comment.value = "";
      }, t("talent.report.returned"));
    }
    const readOnlyReason = computed(() => {
      const status = report.value?.status;
      if (!report.value || editable.value) return "";
      if (status === "approved") return t("talent.readonly.approved");
      if (status === "submitted") return t("talent.readonly.submitted");
      return t("talent.readonly.locked", { date: context.period?.locks_on || "" });
    });
    return {
      report, context, form, closing, refused, banner, done, busy, history, comment, commentError, levels, editable,
      reviewing, errorsByField, otherErrors, warnings, blocking, readOnlyReason, save, submit, approve, sendBack,
      SECTIONS, periodId, t, pick, go, me, back: me.user?.is_admin ? "/talent/review" : "/talent",
    };
  },
  template: `
    <p><a :href="back" @click.prevent="go(back)">← {{ me.user?.is_admin ? t("talent.review.heading") : t("talent.home.heading") }}</a></p>
    <p v-if="refused" class="banner" role="alert">{{ refused }}</p>
    <template v-else-if="report && context.period">
      <form class="card" @submit.prevent="save" novalidate>
        <h1>{{ t("talent.report.heading", { period: periodId }) }}</h1>
        <p class="muted">{{ pick(context.base?.name) }} · {{ context.programme?.cohort }} · {{ pick(context.occupation?.name) }}
          · {{ t("talent.home.due", { due: context.period.due_on, locks: context.period.locks_on }) }}</p>
        <p><span class="badge" :class="{ wait: report.status === 'returned' }" data-test="report-status">{{ t("talent.status." + (report.id === null ? "missing" : report.status)) }}</span></p>
        <section v-if="report.status === 'returned' && report.comment" class="talent-comment" aria-labelledby="comment-heading">
          <h2 id="comment-heading">{{ t("talent.report.returned_heading") }}</h2>
          <p data-test="comment">{{ report.comment }}</p>
        </section>
        <p v-if="readOnlyReason" class="banner ok" data-test="read-only">{{ readOnlyReason }}</p>
        <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
        <p v-if="done" class="banner ok" role="status">{{ done }}</p>
        <fieldset :disabled="!editable || busy" class="talent-fields">
          <template v-for="[heading, names] in SECTIONS" :key="heading">
            <h2 class="talent-legend">{{ t(heading) }}</h2>
            <div class="talent-grid">
              <div v-for="name in names" :key="name">
                <label :for="'r-' + name">{{ t("talent.field." + name) }}</label>
                <input :id="'r-' + name" v-model="form[name]" type="number" min="0" step="1" inputmode="numeric"
                       :aria-invalid="!!errorsByField[name]" :aria-describedby="errorsByField[name] ? 'e-' + name : null">
                <div v-if="errorsByField[name]" :id="'e-' + name" class="field-error">{{ errorsByField[name] }}</div>
              </div>
              <div v-if="heading === 'talent.section.trainees'">
                <label for="r-closing">{{ t("talent.field.closing") }}</label>
                <output id="r-closing" class="talent-derived" :class="{ bad: closing < 0 }">{{ closing }}</output>
                <div class="muted">{{ t("talent.report.closing_rule") }}</div>
              </div>
            </div>
          </template>
          <h2 class="talent-legend">{{ t("talent.section.levels") }}</h2>
          <div v-for="level in levels" :key="level.code" class="talent-grid">
            <div v-for="kind in ['assessed', 'certified']" :key="kind">
              <label :for="'r-' + level.code + '-' + kind">{{ t("talent.field.level_" + kind, { level: pick(level) }) }}</label>
              <input :id="'r-' + level.code + '-' + kind" v-model="form.levels[level.code][kind]" type="number" min="0" step="1"
                     inputmode="numeric" :aria-invalid="!!errorsByField['levels.' + level.code + '.' + kind]"
                     :aria-describedby="errorsByField['levels.' + level.code + '.' + kind] ? 'e-' + level.code + '-' + kind : null">
              <div v-if="errorsByField['levels.' + level.code + '.' + kind]" :id="'e-' + level.code + '-' + kind" class="field-error">{{ errorsByField["levels." + level.code + "." + kind] }}</div>
            </div>
          </div>
        </fieldset>
        <ul v-if="otherErrors.length" class="field-error">
          <li v-for="m in otherErrors" :key="m">{{ m }}</li>
        </ul>
        <section v-if="warnings.length" class="talent-warnings" aria-labelledby="warnings-heading">
          <h2 id="warnings-heading">{{ t("talent.report.warnings") }}</h2>
          <ul><li v-for="w in warnings" :key="w.rule + w.field">{{ w.message }}</li></ul>
        </section>
        <div v-if="editable" class="talent-actions">
          <button type="submit" class="secondary" :disabled="busy">{{ t("talent.report.save") }}</button>
          <button type="button" :disabled="busy || blocking" @click="submit">{{ t("talent.report.submit") }}</button>
          <p v-if="blocking" class="muted">{{ t("talent.report.blocked") }}</p>
        </div>
      </form>
      <section v-if="reviewing" class="card" aria-labelledby="review-heading">
        <h2 id="review-heading">{{ t("talent.review.decide") }}</h2>
        <label for="r-comment">{{ t("talent.review.comment") }}</label>
        <textarea id="r-comment" v-model="comment" rows="3" :aria-invalid="!!commentError"></textarea>
        <div v-if="commentError" class="field-error">{{ commentError }}</div>
        <div class="talent-actions">
          <button type="button" :disabled="busy" @click="approve">{{ t("talent.review.approve") }}</button>
          <button type="button" class="secondary" :disabled="busy" @click="sendBack">{{ t("talent.review.return") }}</button>
        </div>
      </section>
      <History :entries="history" :levels="levels" />
    </template>`,
};

export const ReviewQueue = {
  props: ["params"],
  setup() {
    const waiting = ref([]);
    const banner = ref("");
    const loading = ref(true);
    onMounted(async () => {
      try {
        const [periods, programmes, occupations] = await Promise.all([
          api("/talent/periods"), api("/talent/programmes"), api("/talent/occupations"),
        ]);
        const byId = Object.fromEntries(programmes.map((p) => [p.id, p]));
        const names = Object.fromEntries(occupations.map((o) => [o.code, o.name]));
        const rows = await Promise.all(periods.map(async (period) =>
          (await api(`/talent/completeness?period=${period.id}`))
            .filter((row) => row.status === "submitted")
            .map((row) => ({ ...row, period: period.id, programme: byId[row.programme_id], occupation: names[byId[row.programme_id]?.occupation] }))));
        waiting.value = rows.flat();
      } catch (error) {
        banner.value = failure(error);
      } finally {
        loading.value = false;
      }
    });
    return { waiting, banner, loading, reportPath, t, pick, go };
  },
  template: `
    <h1>{{ t("talent.review.heading") }}</h1>
    <p><a href="/talent/dashboard" @click.prevent="go('/talent/dashboard')">{{ t("talent.dash.heading") }}</a></p>
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <p v-else-if="!loading && !waiting.length" class="card muted" role="status">{{ t("talent.review.empty") }}</p>
    <ul class="talent-queue">
      <li v-for="row in waiting" :key="row.period + '-' + row.programme_id" class="card">
        <a :href="reportPath(row.base_id, row.period, row.programme_id)" @click.prevent="go(reportPath(row.base_id, row.period, row.programme_id))">
          {{ row.base }} · {{ row.period }} · {{ row.programme?.cohort }}</a>
        <div class="muted">{{ pick(row.occupation) }} ·
          <span class="badge" :class="{ full: row.state === 'late' }">{{ t("talent.state." + row.state) }}</span></div>
      </li>
    </ul>`,
};
