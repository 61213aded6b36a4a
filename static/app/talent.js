// Talent reporting. A base's reporters see their open periods and each running programme's report, and can
// fill in the period's spreadsheet instead; the bureau (admins) reviews reports and reads the dashboard.
// Paths: /talent, /talent/reports/{base}/{period}/{programme}, /talent/review, /talent/dashboard, and the plan's
// pages (talent-plan.js).
import { ref, computed, onMounted } from "./vue.js";
import { api, ApiError, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { me } from "./account.js";
import { route, go } from "./router.js";
import { ReportPage, ReviewQueue, cityDay, cityToday, reportPath } from "./talent-report.js";
import { TalentDashboard } from "./talent-dashboard.js";
import { ProgrammesPage, PeriodsPage, TargetsPage, EvidencePage, PLAN_PAGES } from "./talent-plan.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const REPORTING_ROLES = ["reporter", "manager"];

// The state a base sees for one report: missing until first saved, then its workflow status; late once the
// due date has passed without a submission, or when it was submitted after it.
export function reportState(report, period) {
  const state = report.id === null ? "missing" : report.status;
  const submittedOn = report.submitted_at && cityDay(report.submitted_at);
  const late = submittedOn ? submittedOn > period.due_on : ["missing", "draft", "returned"].includes(state) && cityToday() > period.due_on;
  return { state, late };
}

const SheetUpload = {
  props: ["base", "period"],
  emits: ["applied"],
  setup(props, { emit }) {
    const file = ref(null);
    const rows = ref(null);
    const banner = ref("");
    const done = ref("");
    const busy = ref(false);
    const id = `sheet-${props.base}-${props.period}`;
    const path = `/talent/sheets/${props.base}/${props.period}`;
    const clean = computed(() => rows.value && rows.value.every((row) => !row.problems.length));
    function choose(event) {
      file.value = event.target.files[0] || null;
      rows.value = null;
      done.value = "";
    }
    async function send(apply) {
      banner.value = "";
      busy.value = true;
      try {
        const answer = await api(apply ? `${path}?apply=true` : path, { method: "POST", body: file.value, headers: { "Content-Type": XLSX } });
        if (apply) {
          done.value = t("talent.sheet.applied", { n: answer.length });
          rows.value = null;
          emit("applied");
        } else {
          rows.value = answer;
        }
      } catch (error) {
        banner.value = error instanceof ApiError ? Object.values(error.fields)[0] || error.problem.detail : t("error.network");
      } finally {
        busy.value = false;
      }
    }
    return { file, rows, banner, done, busy, id, path, clean, choose, send, t };
  },
  template: `
    <div class="talent-sheet">
      <p><a :href="'/api/v1' + path" download>{{ t("talent.sheet.download") }}</a></p>
      <label :for="id">{{ t("talent.sheet.upload") }}</label>
      <input :id="id" type="file" accept=".xlsx" @change="choose">
      <button type="button" class="secondary" :disabled="!file || busy" @click="send(false)">{{ t("talent.sheet.check") }}</button>
      <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
      <p v-if="done" class="banner ok" role="status">{{ done }}</p>
      <div v-if="rows" role="status">
        <p v-if="clean">{{ t("talent.sheet.clean", { n: rows.length }) }}</p>
        <p v-else class="banner">{{ t("talent.sheet.problems") }}</p>
        <div v-if="!clean" class="talent-scroll" tabindex="0" role="region" :aria-label="t('talent.sheet.problems')"><table>
          <thead><tr><th>{{ t("talent.sheet.row") }}</th><th>{{ t("talent.sheet.column") }}</th><th>{{ t("talent.sheet.problem") }}</th></tr></thead>
          <tbody>
            <template v-for="row in rows" :key="row.row">
              <tr v-for="(problem, n) in row.problems" :key="n">
                <td>{{ row.row }}</td><td>{{ problem.column || "—" }}</td><td>{{ problem.message }}</td>
              </tr>
            </template>
          </tbody>
        </table></div>
        <button v-if="clean && rows.length" type="button" :disabled="busy" @click="send(true)">{{ t("talent.sheet.apply") }}</button>
      </div>
    </div>`,
};

const PAST_PERIODS = 12;  // locked periods listed under 往期报表, newest first
// A report that arrived late reads as one phrase ("逾期提交，已通过"), not a status beside a bare "逾期".
const LATE_ARRIVALS = ["submitted", "approved"];

const TalentHome = {
  components: { SheetUpload },
  setup() {
    const bases = ref([]);
    const banner = ref("");
    const loading = ref(true);
    const admin = computed(() => !!me.user?.is_admin);
    const manager = computed(() => !!me.user?.memberships.some((m) => m.role === "manager"));
    async function refresh() {
      const ids = [...new Set(me.user.memberships.filter((m) => REPORTING_ROLES.includes(m.role)).map((m) => m.organisation_id))];
      if (!ids.length) return;
      const [organisations, periods, programmes, occupations] = await Promise.all([
        Promise.all(ids.map((id) => api(`/organisations/${id}`))),
        api("/talent/periods"),
        api("/talent/programmes"),
        api("/talent/occupations"),
      ]);
      const today = cityToday();
      const open = periods.filter((p) => p.locks_on >= today).sort((a, b) => a.starts_on.localeCompare(b.starts_on));
      // Locked periods: read-only reports, or editable again where the bureau granted the base an exception.
      const locked = periods.filter((p) => p.locks_on < today).sort((a, b) => b.starts_on.localeCompare(a.starts_on));
      const occupationOf = Object.fromEntries(occupations.map((o) => [o.code, o]));
      const running = (base, period) => programmes.filter(
        (p) => p.base_id === base.id && p.starts_on <= period.ends_on && p.ends_on >= period.starts_on);
      bases.value = await Promise.all(organisations.filter((o) => o.kind === "training_base").map(async (base) => ({
        base,
        past: locked.slice(0, PAST_PERIODS).map((period) => ({
          period, programmes: running(base, period).map((programme) => ({ programme, occupation: occupationOf[programme.occupation] })),
        })).filter((p) => p.programmes.length),
        periods: await Promise.all(open.map(async (period) => ({
          period,
          reports: await Promise.all(running(base, period)
            .map(async (programme) => {
              const report = await api(reportPath(base.id, period.id, programme.id));
              return { programme, occupation: occupationOf[programme.occupation], report, ...reportState(report, period) };
            })),
        }))),
      })));
    }
    onMounted(async () => {
      try {
        if (me.user) await refresh();
      } catch (error) {
        banner.value = failure(error);
      } finally {
        loading.value = false;
      }
    });
    return { bases, banner, loading, admin, manager, PLAN_PAGES, refresh, me, t, pick, go, reportPath, LATE_ARRIVALS };
  },
  template: `
    <h1>{{ t("talent.home.heading") }}</h1>
    <p v-if="!me.user" class="card">
      <a href="/login" @click.prevent="go('/login')">{{ t("talent.home.sign_in") }}</a>
    </p>
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <nav v-if="admin" class="card talent-links" :aria-label="t('talent.home.bureau')">
      <h2>{{ t("talent.home.bureau") }}</h2>
      <a href="/talent/review" @click.prevent="go('/talent/review')">{{ t("talent.review.heading") }}</a>
      <a href="/talent/dashboard" @click.prevent="go('/talent/dashboard')">{{ t("talent.dash.heading") }}</a>
      <a v-for="name in PLAN_PAGES" :key="name" :href="'/talent/' + name" @click.prevent="go('/talent/' + name)">{{ t("talent.plan." + name) }}</a>
    </nav>
    <p v-else-if="manager" class="card">
      <a href="/talent/programmes" @click.prevent="go('/talent/programmes')">{{ t("talent.plan.programmes") }}</a></p>
    <p v-if="me.user && !loading && !bases.length && !admin" class="muted">{{ t("talent.home.no_base") }}</p>
    <section v-for="entry in bases" :key="entry.base.id" class="card">
      <h2>{{ pick(entry.base.name) }}</h2>
      <p v-if="!entry.periods.length" class="muted">{{ t("talent.home.no_period") }}</p>
      <div v-for="p in entry.periods" :key="p.period.id" class="talent-period">
        <h3>{{ t("talent.home.period", { id: p.period.id }) }}</h3>
        <p class="muted">{{ t("talent.home.due", { due: p.period.due_on, locks: p.period.locks_on }) }}</p>
        <p v-if="!p.reports.length" class="muted">{{ t("talent.home.no_programme") }}</p>
        <ul class="talent-reports">
          <li v-for="r in p.reports" :key="r.programme.id">
            <a :href="reportPath(entry.base.id, p.period.id, r.programme.id)"
               @click.prevent="go(reportPath(entry.base.id, p.period.id, r.programme.id))">
              {{ r.programme.cohort }} · {{ pick(r.occupation?.name) }}</a>
            <span v-if="r.late && LATE_ARRIVALS.includes(r.state)" class="badge wait">{{ t("talent.status.late_" + r.state) }}</span>
            <template v-else>
              <span class="badge" :class="{ wait: r.state === 'returned', full: r.state === 'missing' }">{{ t("talent.status." + r.state) }}</span>
              <span v-if="r.late" class="badge full">{{ t("talent.status.late") }}</span>
            </template>
            <div v-if="r.state === 'returned'" class="muted">{{ t("talent.report.comment") }}：{{ r.report.comment }}</div>
          </li>
        </ul>
        <SheetUpload v-if="p.reports.length" :base="entry.base.id" :period="p.period.id" @applied="refresh" />
      </div>
      <details v-if="entry.past.length" class="talent-past">
        <summary>{{ t("talent.home.past") }}</summary>
        <div v-for="p in entry.past" :key="p.period.id">
          <h3>{{ t("talent.home.period", { id: p.period.id }) }}</h3>
          <ul class="talent-reports">
            <li v-for="r in p.programmes" :key="r.programme.id">
              <a :href="reportPath(entry.base.id, p.period.id, r.programme.id)"
                 @click.prevent="go(reportPath(entry.base.id, p.period.id, r.programme.id))">
                {{ r.programme.cohort }} · {{ pick(r.occupation?.name) }}</a>
            </li>
          </ul>
        </div>
      </details>
    </section>`,
};

const ROUTES = [
  [/^\/talent\/?$/, "TalentHome"],
  [/^\/talent\/reports\/(\d+)\/([^/]+)\/(\d+)$/, "ReportPage"],
  [/^\/talent\/review$/, "ReviewQueue"],
  [/^\/talent\/dashboard$/, "TalentDashboard"],
  [/^\/talent\/programmes$/, "ProgrammesPage"],
  [/^\/talent\/periods$/, "PeriodsPage"],
  [/^\/talent\/targets$/, "TargetsPage"],
  [/^\/talent\/evidence$/, "EvidencePage"],
];

export const TalentPage = {
  components: { TalentHome, ReportPage, ReviewQueue, TalentDashboard, ProgrammesPage, PeriodsPage, TargetsPage, EvidencePage },
  setup() {
    const view = computed(() => {
      for (const [pattern, name] of ROUTES) {
        const match = route.path.match(pattern);
        if (match) return { name, params: match.slice(1).map(decodeURIComponent) };
      }
      return null;
    });
    return { view, route, t, go };
  },
  template: `
    <component v-if="view" :is="view.name" :key="route.path" :params="view.params" />
    <template v-else>
      <h1>{{ t("talent.home.heading") }}</h1>
      <p class="banner" role="alert">{{ t("talent.not_found") }}
        <a href="/talent" @click.prevent="go('/talent')">{{ t("talent.home.heading") }}</a></p>
    </template>`,
};
