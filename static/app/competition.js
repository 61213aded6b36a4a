// The competition page of an event of kind competition: its tracks, stages with live countdowns in the event's zone,
// who may enter, and the visitor's own team (or the form to found one). The invitation mail links here with
// ?invite=…, where the invited person accepts.
import { ref, reactive, computed, nextTick, onMounted, onBeforeUnmount } from "./vue.js";
import { api, ApiError, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { me } from "./account.js";
import { at } from "./format.js";
import { route, link } from "./router.js";
import { TeamPanel } from "./competition-team.js";

// One clock for every countdown on the page, ticking each second while a page that shows one is open.
const clock = reactive({ now: Date.now() });
let ticking = 0;
let timer = null;
export function useClock() {
  onMounted(() => {
    if (ticking++ === 0) timer = setInterval(() => { clock.now = Date.now(); }, 1000);
  });
  onBeforeUnmount(() => {
    if (--ticking === 0) clearInterval(timer);
  });
  return clock;
}

// "距截止 2天3小时", "距开始 5小时12分", "已截止": the two largest units left, down to seconds in the last hour.
export function countdown(stage, now) {
  const [target, key] = now < Date.parse(stage.starts_at) ? [stage.starts_at, "comp.until_start"]
    : [stage.deadline, "comp.until_deadline"];
  const left = Math.floor((Date.parse(target) - now) / 1000);
  if (key === "comp.until_deadline" && left <= 0) return { text: t("comp.closed"), closed: true };
  const units = [["d", Math.floor(left / 86400)], ["h", Math.floor(left / 3600) % 24], ["m", Math.floor(left / 60) % 60], ["s", left % 60]];
  const first = units.findIndex(([, value]) => value > 0);
  const shown = units.slice(Math.max(first, 0), Math.max(first, 0) + 2).map(([unit, value]) => t(`comp.unit.${unit}`, { n: value }));
  return { text: t(key, { left: shown.join("").trim() }), closed: false };
}

const FoundTeam = {
  props: ["competition", "regions"],
  emits: ["founded"],
  setup(props, { emit }) {
    const form = reactive({ name: "", track_id: props.competition.tracks[0]?.id ?? null, region: "", organisation_name: "", uscc: "" });
    const errors = ref({});
    const banner = ref("");
    const sending = ref(false);
    const company = computed(() => props.competition.entrants !== "individuals");
    const allowed = computed(() => (props.competition.regions.length
      ? props.regions.filter((region) => props.competition.regions.includes(region.code)) : props.regions));
    const FIELDS = [["track_id", "t-track"], ["name", "t-name"], ["region", "t-region"], ["organisation_name", "t-org"], ["uscc", "t-uscc"]];
    async function found() {
      sending.value = true;
      errors.value = {};
      banner.value = "";
      try {
        const body = { name: form.name, track_id: form.track_id, region: form.region, organisation_name: form.organisation_name,
                       uscc: form.uscc || null };
        emit("founded", await api(`/competitions/${props.competition.id}/teams`, { method: "POST", body }));
      } catch (error) {
        errors.value = error instanceof ApiError ? error.fields : {};
        if (!Object.keys(errors.value).length) banner.value = failure(error);
        await nextTick();
        const first = FIELDS.find(([path]) => errors.value[path]);
        document.getElementById(first ? first[1] : "t-banner")?.focus();
      } finally {
        sending.value = false;
      }
    }
    const described = (path, id) => (errors.value[path] ? `${id}-error` : null);
    onMounted(() => document.getElementById("t-track")?.focus());  // it opened from the button the focus was on
    return { form, errors, banner, sending, company, allowed, found, described, t, pick };
  },
  template: `
    <form class="card" @submit.prevent="found" novalidate aria-labelledby="found-heading">
      <h2 id="found-heading">{{ t("comp.found") }}</h2>
      <p v-if="banner" id="t-banner" tabindex="-1" class="banner" role="alert">{{ banner }}</p>
      <label for="t-track">{{ t("comp.track") }}</label>
      <select id="t-track" v-model="form.track_id" :aria-invalid="!!errors.track_id" :aria-describedby="described('track_id', 't-track')">
        <option v-for="track in competition.tracks" :key="track.id" :value="track.id">{{ pick(track.name) }}</option>
      </select>
      <div v-if="errors.track_id" id="t-track-error" class="field-error">{{ errors.track_id }}</div>
      <label for="t-name">{{ t("comp.team_name") }}</label>
      <input id="t-name" v-model="form.name" maxlength="100" :aria-invalid="!!errors.name" :aria-describedby="described('name', 't-name')">
      <div v-if="errors.name" id="t-name-error" class="field-error">{{ errors.name }}</div>
      <label for="t-region">{{ t("comp.region") }}</label>
      <select id="t-region" v-model="form.region" :aria-invalid="!!errors.region" :aria-describedby="described('region', 't-region')">
        <option value="" disabled>{{ t("form.choose") }}</option>
        <option v-for="region in allowed" :key="region.code" :value="region.code">{{ pick(region.name) }}</option>
      </select>
      <div v-if="errors.region" id="t-region-error" class="field-error">{{ errors.region }}</div>
      <template v-if="company">
        <label for="t-org">{{ t("comp.organisation") }}<span v-if="competition.entrants === 'any'" class="muted">{{ t("form.optional") }}</span></label>
        <input id="t-org" v-model="form.organisation_name" maxlength="200" autocomplete="organization"
               :aria-invalid="!!errors.organisation_name" :aria-describedby="described('organisation_name', 't-org')">
        <div v-if="errors.organisation_name" id="t-org-error" class="field-error">{{ errors.organisation_name }}</div>
        <label for="t-uscc">{{ t("comp.uscc") }}<span v-if="competition.entrants === 'any'" class="muted">{{ t("form.optional") }}</span></label>
        <input id="t-uscc" v-model.trim="form.uscc" maxlength="18" autocapitalize="characters" spellcheck="false"
               :aria-invalid="!!errors.uscc" :aria-describedby="described('uscc', 't-uscc')">
        <div v-if="errors.uscc" id="t-uscc-error" class="field-error">{{ errors.uscc }}</div>
      </template>
      <button type="submit" :disabled="sending">{{ t("comp.found_submit") }}</button>
    </form>`,
};

// Accepting the invitation the mail linked to: signed in with the invited address, one button.
const AcceptInvite = {
  props: ["token"],
  emits: ["joined"],
  setup(props, { emit }) {
    const banner = ref("");
    const busy = ref(false);
    async function accept() {
      busy.value = true;
      banner.value = "";
      try {
        emit("joined", await api("/team-invites/accept", { method: "POST", body: { token: props.token } }));
      } catch (error) {
        banner.value = failure(error);
      } finally {
        busy.value = false;
      }
    }
    return { banner, busy, accept, me, t, link };
  },
  template: `
    <section class="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">{{ t("comp.invite_heading") }}</h2>
      <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
      <template v-if="me.user">
        <p>{{ t("comp.invite_explain", { email: me.user.email }) }}</p>
        <button type="button" :disabled="busy" @click="accept">{{ t("comp.invite_accept") }}</button>
      </template>
      <p v-else>{{ t("comp.invite_sign_in") }} <a v-bind="link('/login')">{{ t("nav.login") }}</a></p>
    </section>`,
};

// A stage's results once they are out: on public notice (公示, until its end) or final, ranked per track.
const StageResults = {
  props: ["event", "competition", "stage"],
  setup(props) {
    const results = ref(null);
    const banner = ref("");
    const trackName = (id) => pick(props.competition.tracks.find((track) => track.id === id)?.name);
    onMounted(async () => {
      try {
        results.value = await api(`/events/${props.event.id}/competition/stages/${props.stage.id}/results`);
      } catch (error) {
        banner.value = failure(error);
      }
    });
    return { results, banner, trackName, at, t, pick };
  },
  template: `
    <section class="card" :aria-labelledby="'results-' + stage.id">
      <h2 :id="'results-' + stage.id">{{ t("comp.results_heading", { stage: pick(stage.name) }) }}</h2>
      <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
      <template v-if="results">
        <p data-test="results-state">{{ results.final ? t("comp.results_final")
          : t("comp.results_notice", { until: at(results.notice_until, event) }) }}</p>
        <table v-for="track in results.ranking" :key="track.track_id" class="comp-results">
          <caption>{{ trackName(track.track_id) }}</caption>
          <thead><tr><th scope="col">{{ t("comp.results_rank") }}</th><th scope="col">{{ t("comp.results_team") }}</th>
            <th scope="col">{{ t("comp.results_score") }}</th></tr></thead>
          <tbody><tr v-for="entry in track.ranked" :key="entry.team_id">
            <td>{{ entry.rank }}</td><td>{{ entry.team_name }}</td><td>{{ entry.raw_mean.toFixed(2) }}</td></tr></tbody>
        </table>
      </template>
    </section>`,
};

export const CompetitionPage = {
  components: { FoundTeam, AcceptInvite, TeamPanel, StageResults },
  props: ["id"],
  setup(props) {
    const event = ref(null);
    const competition = ref(null);
    const regions = ref([]);
    const team = ref(null);
    const missing = ref(false);
    const banner = ref("");
    const notice = ref("");  // what the last change did, said after the team is read again
    const founding = ref(false);
    const invite = ref(route.query.get("invite") || "");
    const clock = useClock();
    async function loadTeam() {
      if (!me.user) return;
      team.value = (await api("/me/teams")).find((mine) => mine.competition_id === competition.value.id) || null;
    }
    onMounted(async () => {
      try {
        [event.value, competition.value, regions.value] = await Promise.all([
          api(`/events/${props.id}`), api(`/events/${props.id}/competition`), api("/regions"),
        ]);
        await loadTeam();
      } catch (error) {
        if (error instanceof ApiError && error.problem.status === 404) missing.value = true;
        else banner.value = failure(error);
      }
    });
    async function changed(done) {
      founding.value = false;
      invite.value = "";
      await loadTeam();
      notice.value = done;
    }
    const regionNames = computed(() => competition.value.regions
      .map((code) => pick(regions.value.find((region) => region.code === code)?.name) || code).join("、"));
    const trackName = (id) => pick(competition.value.tracks.find((track) => track.id === id)?.name);
    return {
      event, competition, team, missing, banner, notice, founding, invite, regions, clock, regionNames, changed, trackName, countdown, at, me, t, pick, link,
    };
  },
  template: `
    <div v-if="missing" class="card">
      <h1>{{ t("comp.heading") }}</h1>
      <p class="banner" role="alert">{{ t("comp.not_set_up") }}</p>
    </div>
    <p v-else-if="banner" class="banner" role="alert">{{ banner }}</p>
    <template v-if="competition && event">
      <div class="card">
        <p class="muted"><a v-bind="link('/events/' + event.id)">{{ pick(event.title) }}</a></p>
        <h1>{{ t(competition.is_challenge ? "comp.challenge_heading" : "comp.heading") }}</h1>
        <p v-if="competition.need" class="comp-need">{{ competition.need }}</p>
        <p v-if="competition.scenario_need_id" class="muted" data-test="pool-need">{{ t("comp.from_pool") }}
          <a v-bind="link('/pool/' + competition.scenario_need_id)">{{ t("comp.pool_need") }}</a></p>
        <h2>{{ t("comp.rules") }}</h2>
        <ul class="comp-rules">
          <li>{{ t("comp.entrants." + competition.entrants) }}</li>
          <li>{{ t("comp.team_size", { min: competition.team_min, max: competition.team_max }) }}</li>
          <li>{{ competition.regions.length ? t("comp.regions", { names: regionNames }) : t("comp.any_region") }}</li>
          <li v-if="competition.requires_approval">{{ t("comp.approval") }}</li>
        </ul>
        <h2>{{ t("comp.tracks") }}</h2>
        <ul><li v-for="track in competition.tracks" :key="track.id">{{ pick(track.name) }}</li></ul>
      </div>
      <section class="card" aria-labelledby="stages-heading">
        <h2 id="stages-heading">{{ t("comp.stages") }}</h2>
        <p><a :href="'/api/v1/events/' + event.id + '/calendar.ics'">{{ t("comp.deadlines_calendar") }}</a></p>
        <ol class="comp-stages">
          <li v-for="stage in competition.stages" :key="stage.id" :data-stage="stage.id">
            <strong>{{ pick(stage.name) }}</strong>
            <div class="muted">{{ t("comp.stage_span", { start: at(stage.starts_at, event), deadline: at(stage.deadline, event) }) }}</div>
            <div><span class="badge" :class="{ ended: countdown(stage, clock.now).closed }" data-test="countdown">{{ countdown(stage, clock.now).text }}</span>
              <a v-if="team && (stage.file_slots.length || stage.fact_sheet.length)" v-bind="link('/teams/' + team.id + '/stages/' + stage.id)"
                 class="comp-submit-link">{{ t("comp.to_submission") }}</a></div>
          </li>
        </ol>
      </section>
      <StageResults v-for="stage in competition.stages.filter((stage) => stage.results !== 'none')" :key="'r' + stage.id"
                    :event="event" :competition="competition" :stage="stage" />
      <p class="banner ok" role="status" v-if="notice">{{ notice }}</p>
      <AcceptInvite v-if="invite && !team" :token="invite" @joined="(joined) => changed(t('comp.joined', { team: joined.name }))" />
      <TeamPanel v-if="team" :team="team" :track="trackName(team.track_id)" :event="event" @changed="changed" />
      <template v-else-if="me.user">
        <FoundTeam v-if="founding" :competition="competition" :regions="regions" @founded="(founded) => changed(t('comp.founded', { team: founded.name }))" />
        <button v-else type="button" @click="founding = true">{{ t("comp.found") }}</button>
      </template>
      <p v-else class="card">{{ t("comp.sign_in") }} <a v-bind="link('/login')">{{ t("nav.login") }}</a></p>
    </template>`,
};
