// The bureau's dashboard: totals by region, occupation and level, the trend by period and progress against
// targets as Apache ECharts charts (each with its figures as a table), and who has reported for a period.
import { ref, reactive, computed, watch, onMounted, onBeforeUnmount } from "./vue.js";
import { api, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { go } from "./router.js";
import { cityToday } from "./talent-report.js";

const ECHARTS = "/static/vendor/echarts/echarts.esm.min.js";  // loaded with the first chart, on this page only
const FIGURES = ["enrolled", "completed", "employed", "certified"];
const STATES = ["on_time", "late", "draft", "missing"];

// Bar charts lie on their side: each category's label on its own row at the left, wrapped within LABEL_SHARE of
// the width, so that long labels (职业 等级, a target's base and level) never overlap on a phone nor run past the
// edge; the box grows with the rows. The line chart's period labels are short and skip themselves when crowded.
const LABEL_FONT = 12;
const LABEL_LINE = 16;
const LABEL_SHARE = 0.45;
const LABEL_MIN_WIDTH = 60;  // a box not laid out yet (width 0) still gets rows of a sane height
const LABEL_MAX_WIDTH = 260;
const ROW_GAP = 14;
const LEGEND_HEIGHT = 48;  // the legend wraps to two lines on a phone
const AXIS_HEIGHT = 32;

// How many lines the longest label needs at `width` pixels (measured in the font the chart draws with).
function labelLines(labels, width) {
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${LABEL_FONT}px sans-serif`;
  return Math.max(1, ...labels.map((label) => Math.ceil(context.measureText(label).width / width)));
}

const Chart = {
  props: ["title", "kind", "categories", "series"],
  setup(props) {
    const box = ref(null);
    const table = ref(false);
    let chart = null;
    const summary = computed(() => props.categories.length
      ? `${props.title}：` + props.categories.map((c, i) => `${c} ` + props.series.map((s) => `${s.name} ${s.data[i]}`).join("，")).join("；")
      : `${props.title}：${t("talent.dash.no_data")}`);
    async function draw() {
      const echarts = await import(ECHARTS);
      if (!box.value) return;
      const bars = props.kind === "bar";
      const labelWidth = Math.max(LABEL_MIN_WIDTH, Math.min(LABEL_MAX_WIDTH, Math.floor(box.value.clientWidth * LABEL_SHARE)));
      if (bars && props.categories.length) {
        const row = labelLines(props.categories, labelWidth) * LABEL_LINE + ROW_GAP;
        box.value.style.height = `${LEGEND_HEIGHT + AXIS_HEIGHT + props.categories.length * row}px`;
      }
      chart ??= echarts.init(box.value, null, { renderer: "svg" });
      chart.resize();
      const categoryAxis = {
        type: "category", data: props.categories, inverse: bars,
        axisLabel: bars ? { interval: 0, width: labelWidth, overflow: "breakAll", lineHeight: LABEL_LINE, fontSize: LABEL_FONT }
          : { hideOverlap: true },
      };
      const valueAxis = { type: "value", minInterval: 1 };
      chart.setOption({
        title: props.categories.length ? { show: false }
          : { show: true, text: t("talent.dash.no_data"), left: "center", top: "middle", textStyle: { color: "#5f6b7a", fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: LEGEND_HEIGHT, containLabel: true },
        xAxis: bars ? valueAxis : categoryAxis,
        yAxis: bars ? categoryAxis : valueAxis,
        series: props.series.map((s) => ({ name: s.name, type: props.kind, data: s.data })),
      }, true);
    }
    onMounted(() => {
      draw();
      window.addEventListener("resize", draw);
    });
    watch(() => [props.categories, props.series], draw);
    onBeforeUnmount(() => {
      window.removeEventListener("resize", draw);
      chart?.dispose();
    });
    return { box, table, summary, t };
  },
  template: `
    <figure class="card talent-chart">
      <figcaption><h2>{{ title }}</h2></figcaption>
      <div ref="box" class="talent-chart-box" role="img" :aria-label="summary"></div>
      <button type="button" class="secondary" :aria-expanded="table" @click="table = !table">
        {{ table ? t("talent.dash.hide_table") : t("talent.dash.show_table") }}</button>
      <div v-if="table" class="talent-scroll" tabindex="0" role="region" :aria-label="title"><table>
        <caption class="muted">{{ title }}</caption>
        <thead><tr><td></td><th v-for="s in series" :key="s.name" scope="col">{{ s.name }}</th></tr></thead>
        <tbody><tr v-for="(c, i) in categories" :key="c"><th scope="row">{{ c }}</th><td v-for="s in series" :key="s.name">{{ s.data[i] }}</td></tr></tbody>
      </table></div>
    </figure>`,
};

// Rows of the dashboard API, summed again over the groups left out (the occupation once it is filtered).
function regroup(rows, keyOf, figures) {
  const sums = new Map();
  for (const row of rows) {
    const key = keyOf(row);
    const sum = sums.get(key) || Object.fromEntries(figures.map((f) => [f, 0]));
    for (const f of figures) sum[f] += row[f] || 0;
    sums.set(key, sum);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function seriesOf(pairs, figures) {
  return figures.map((f) => ({ name: t("talent.figure." + f), data: pairs.map(([, sum]) => sum[f]) }));
}

export const TalentDashboard = {
  props: ["params"],
  components: { Chart },
  setup() {
    const banner = ref("");
    const periods = ref([]);
    const occupations = ref([]);
    const regions = ref([]);
    const filters = reactive({ from: "", to: "", occupation: "" });
    const data = reactive({ region: [], level: [], trend: [], targets: [] });
    const chosen = ref("");
    const bases = ref([]);
    const expected = ref([]);
    const received = ref([]);

    const dashboard = (groups, from, to) => api(`/talent/dashboard?${new URLSearchParams({ group_by: groups, ...(from ? { from } : {}), ...(to ? { to } : {}) })}`);
    async function guarded(run) {
      banner.value = "";
      try {
        await run();
      } catch (error) {
        banner.value = failure(error);
      }
    }
    const refresh = () => guarded(async () => {
      [data.region, data.level, data.trend, data.targets] = await Promise.all([
        dashboard("region,occupation", filters.from, filters.to),
        dashboard("occupation,level", filters.from, filters.to),
        dashboard("period,occupation", filters.from, filters.to),
        api("/talent/targets"),
      ]);
    });
    const refreshCompleteness = () => guarded(async () => {
      if (!chosen.value) return;
      [expected.value, received.value] = await Promise.all([
        api(`/talent/completeness?period=${encodeURIComponent(chosen.value)}`),
        dashboard("base", chosen.value, chosen.value),
      ]);
    });
    onMounted(() => guarded(async () => {
      [periods.value, occupations.value, regions.value, bases.value] = await Promise.all([
        api("/talent/periods"), api("/talent/occupations"), api("/regions"),
        api("/organisations?kind=training_base&per_page=200").then((page) => page.items),
      ]);
      const today = cityToday();
      const started = periods.value.filter((p) => p.starts_on <= today);
      chosen.value = (started.at(-1) || periods.value.at(-1))?.id || "";
      await Promise.all([refresh(), refreshCompleteness()]);
    }));
    watch(filters, refresh);
    watch(chosen, refreshCompleteness);

    const keep = (rows) => rows.filter((row) => !filters.occupation || row.occupation === filters.occupation);
    const regionName = (code) => pick(regions.value.find((r) => r.code === code)?.name) || code;
    const occupation = (code) => occupations.value.find((o) => o.code === code);
    const levelName = (code, level) => pick(occupation(code)?.levels.find((l) => l.code === level)) || level;
    const charts = computed(() => {
      const byRegion = regroup(keep(data.region), (row) => row.region, FIGURES);
      const byLevel = regroup(keep(data.level).filter((row) => row.level), (row) => `${row.occupation}|${row.level}`, ["assessed", "certified"]);
      const trend = regroup(keep(data.trend), (row) => row.period, FIGURES);
      const targets = data.targets.filter((row) => !filters.occupation || row.occupation === filters.occupation);
      return [
        { title: t("talent.dash.by_region"), kind: "bar", categories: byRegion.map(([k]) => regionName(k)), series: seriesOf(byRegion, FIGURES) },
        {
          title: t("talent.dash.by_level"), kind: "bar",
          categories: byLevel.map(([k]) => { const [code, level] = k.split("|"); return `${pick(occupation(code)?.name) || code} ${levelName(code, level)}`; }),
          series: seriesOf(byLevel, ["assessed", "certified"]),
        },
        { title: t("talent.dash.trend"), kind: "line", categories: trend.map(([k]) => k), series: seriesOf(trend, FIGURES) },
        {
          title: t("talent.dash.targets"), kind: "bar",
          categories: targets.map((g) => t("talent.dash.target", {
            year: g.year, occupation: pick(occupation(g.occupation)?.name) || g.occupation,
            level: g.level ? levelName(g.occupation, g.level) : "", metric: t("talent.metric." + g.metric),
            base: g.base_id ? pick(bases.value.find((b) => b.id === g.base_id)?.name) || `#${g.base_id}` : t("talent.dash.city"),
          }).replace(/\s+/g, " ").trim()),
          series: [
            { name: t("talent.dash.target_value"), data: targets.map((g) => g.value) },
            { name: t("talent.dash.actual"), data: targets.map((g) => g.actual) },
          ],
        },
      ];
    });

    const table = computed(() => {
      const bases = new Map();
      for (const row of expected.value) {
        const entry = bases.get(row.base_id) || { base_id: row.base_id, base: row.base, region: regionName(row.region), expected: 0, received: 0,
          ...Object.fromEntries(STATES.map((s) => [s, 0])) };
        entry.expected += 1;
        entry[row.state] += 1;
        if (row.state === "on_time" || row.state === "late") entry.received += 1;
        bases.set(row.base_id, entry);
      }
      const figures = Object.fromEntries(received.value.map((row) => [row.base, row]));
      return [...bases.values()].map((entry) => ({ ...entry, enrolled: figures[entry.base_id]?.enrolled || 0, completed: figures[entry.base_id]?.completed || 0 }));
    });
    const totals = computed(() => Object.fromEntries(["expected", "received", ...STATES, "enrolled", "completed"]
      .map((name) => [name, table.value.reduce((sum, row) => sum + row[name], 0)])));
    const exportUrl = (format, query) => `/api/v1/talent/dashboard?${new URLSearchParams({ ...query, format })}`;
    const rangeQuery = computed(() => ({ group_by: "region,occupation,level,period", ...(filters.from ? { from: filters.from } : {}), ...(filters.to ? { to: filters.to } : {}) }));
    return { banner, periods, occupations, filters, charts, chosen, table, totals, exportUrl, rangeQuery, STATES, t, pick, go };
  },
  template: `
    <h1>{{ t("talent.dash.heading") }}</h1>
    <p><a href="/talent/review" @click.prevent="go('/talent/review')">{{ t("talent.review.heading") }}</a></p>
    <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
    <section class="card" aria-labelledby="completeness-heading">
      <h2 id="completeness-heading">{{ t("talent.dash.completeness") }}</h2>
      <label for="d-period">{{ t("talent.dash.period") }}</label>
      <select id="d-period" v-model="chosen"><option v-for="p in periods" :key="p.id" :value="p.id">{{ p.id }}</option></select>
      <div class="talent-scroll" tabindex="0" role="region" :aria-label="t('talent.dash.completeness') + ' ' + chosen"><table data-test="completeness">
        <thead><tr>
          <th scope="col">{{ t("talent.dash.region") }}</th><th scope="col">{{ t("talent.dash.base") }}</th>
          <th scope="col">{{ t("talent.dash.expected") }}</th><th scope="col">{{ t("talent.dash.received") }}</th>
          <th v-for="s in STATES" :key="s" scope="col">{{ t("talent.state." + s) }}</th>
          <th scope="col">{{ t("talent.figure.enrolled") }}</th><th scope="col">{{ t("talent.figure.completed") }}</th>
        </tr></thead>
        <tbody>
          <tr v-for="row in table" :key="row.base_id">
            <td>{{ row.region }}</td><th scope="row">{{ row.base }}</th><td>{{ row.expected }}</td><td>{{ row.received }}</td>
            <td v-for="s in STATES" :key="s">{{ row[s] }}</td><td>{{ row.enrolled }}</td><td>{{ row.completed }}</td>
          </tr>
        </tbody>
        <tfoot><tr>
          <th scope="row" colspan="2">{{ t("talent.dash.total") }}</th><td>{{ totals.expected }}</td><td>{{ totals.received }}</td>
          <td v-for="s in STATES" :key="s">{{ totals[s] }}</td><td>{{ totals.enrolled }}</td><td>{{ totals.completed }}</td>
        </tr></tfoot>
      </table></div>
      <p v-if="chosen">{{ t("talent.dash.export_period") }}
        <a :href="exportUrl('csv', { group_by: 'region,base', from: chosen, to: chosen })">CSV</a> ·
        <a :href="exportUrl('xlsx', { group_by: 'region,base', from: chosen, to: chosen })">XLSX</a></p>
    </section>
    <div class="card filters">
      <label>{{ t("talent.dash.from") }}<select v-model="filters.from" name="from">
        <option value="">{{ t("talent.dash.any") }}</option><option v-for="p in periods" :key="p.id" :value="p.id">{{ p.id }}</option></select></label>
      <label>{{ t("talent.dash.to") }}<select v-model="filters.to" name="to">
        <option value="">{{ t("talent.dash.any") }}</option><option v-for="p in periods" :key="p.id" :value="p.id">{{ p.id }}</option></select></label>
      <label>{{ t("talent.dash.occupation") }}<select v-model="filters.occupation" name="occupation">
        <option value="">{{ t("talent.dash.any") }}</option><option v-for="o in occupations" :key="o.code" :value="o.code">{{ pick(o.name) }}</option></select></label>
    </div>
    <p>{{ t("talent.dash.export_range") }}
      <a :href="exportUrl('csv', rangeQuery)">CSV</a> · <a :href="exportUrl('xlsx', rangeQuery)">XLSX</a></p>
    <Chart v-for="c in charts" :key="c.title" v-bind="c" />`,
};
