// A party's agenda at a matchmaking event (对接会), phone first and printable: each published meeting with its
// time in the event's zone, table and counterpart; the party's own check-in code per meeting (the counterpart or
// the organisers scan it at the table); a box to check a meeting in with the counterpart's code; and, once a
// meeting was held, its outcome.
import { ref, onMounted } from "./vue.js";
import { api, failure } from "./api.js";
import { t, pick, i18n } from "./i18n.js";
import { me } from "./account.js";
import { span } from "./format.js";

const OUTCOMES = ["none", "interested", "negotiating", "signed"];

export const MatchmakingAgenda = {
  props: ["id", "go"],
  setup(props) {
    const agenda = ref(null);
    const problem = ref("");
    const code = ref("");
    const answer = ref(null);
    const saved = ref({});

    async function load() {
      try {
        agenda.value = await api(`/matchmaking-parties/${props.id}/agenda`);
      } catch (error) {
        problem.value = failure(error);
      }
    }
    onMounted(() => me.user && load());

    async function checkIn() {
      const sent = code.value.trim();
      if (!sent) return;
      try {
        await api(`/matchmaking-parties/${props.id}/check-in`, { method: "POST", body: { code: sent } });
        answer.value = { ok: true, text: t("mmagenda.checked_in") };
        code.value = "";
        await load();
      } catch (error) {
        answer.value = { ok: false, text: failure(error) };
      }
    }

    async function record(meeting, outcome) {
      try {
        await api(`/matchmaking-parties/${props.id}/meetings/${meeting.id}/outcome`, { method: "PUT", body: { outcome } });
        meeting.outcome = outcome;
        saved.value = { ...saved.value, [meeting.id]: t("mmagenda.outcome_saved") };
      } catch (error) {
        saved.value = { ...saved.value, [meeting.id]: failure(error) };
      }
    }

    const slotTime = (meeting) => span(meeting, agenda.value.timezone);
    const names = (party) => party.entries.map((entry) => pick(entry.title)).join("；");
    const print = () => window.print();
    return { agenda, problem, code, answer, saved, checkIn, record, slotTime, names, print, me, t, pick, i18n, OUTCOMES };
  },
  template: `
    <section class="mm-agenda" aria-labelledby="agenda-heading">
      <h1 id="agenda-heading">{{ t("mmagenda.heading") }}</h1>
      <p v-if="!me.user" class="banner">{{ t("mmagenda.sign_in") }}</p>
      <p v-else-if="problem" class="banner" role="alert">{{ problem }}</p>
      <template v-else-if="agenda">
        <p class="muted">{{ pick(agenda.event_title) }} · {{ pick(agenda.party_name) }}<template v-if="agenda.venue"> · {{ agenda.venue }}</template></p>
        <p class="muted">{{ t("mmagenda.zone", { zone: agenda.timezone }) }}</p>
        <p v-if="!agenda.published" class="card" data-test="agenda-unpublished">{{ t("mmagenda.unpublished") }}</p>
        <template v-else>
          <button type="button" class="secondary no-print" @click="print">{{ t("mmagenda.print") }}</button>
          <p v-if="!agenda.meetings.length" class="card">{{ t("mmagenda.none") }}</p>
          <ol class="mm-meetings">
            <li v-for="meeting in agenda.meetings" :key="meeting.id" class="card mm-meeting" data-test="agenda-meeting">
              <h2>{{ slotTime(meeting) }}</h2>
              <p><strong>{{ t("mmagenda.table", { table: meeting.table }) }}</strong> · {{ pick(meeting.counterpart.organisation_name) }}</p>
              <p v-if="meeting.counterpart.entries.length" class="muted">{{ names(meeting.counterpart) }}</p>
              <p>
                <span v-if="meeting.held" class="badge" data-test="meeting-held">{{ t("mmagenda.held") }}</span>
                <span v-else class="badge wait">{{ t("mmagenda.not_held") }}</span>
              </p>
              <figure class="mm-code">
                <img :src="meeting.check_in_svg" :alt="t('mmagenda.code_alt', { table: meeting.table })" width="160" height="160">
                <figcaption class="muted"><code>{{ meeting.check_in_code }}</code></figcaption>
              </figure>
              <label v-if="meeting.held" class="no-print">{{ t("mmagenda.outcome") }}
                <select :value="meeting.outcome || ''" @change="record(meeting, $event.target.value)" :data-test="'outcome-' + meeting.id">
                  <option value="" disabled>{{ t("mmagenda.outcome_pick") }}</option>
                  <option v-for="outcome in OUTCOMES" :key="outcome" :value="outcome">{{ t("mmagenda.outcome." + outcome) }}</option>
                </select>
              </label>
              <p v-if="saved[meeting.id]" class="muted" role="status">{{ saved[meeting.id] }}</p>
            </li>
          </ol>
          <form class="card no-print" @submit.prevent="checkIn">
            <h2>{{ t("mmagenda.scan_heading") }}</h2>
            <p class="muted">{{ t("mmagenda.scan_explain") }}</p>
            <label>{{ t("mmagenda.scan_label") }}<input v-model="code" name="code" autocomplete="off" maxlength="100"></label>
            <button type="submit">{{ t("mmagenda.check_in") }}</button>
            <p v-if="answer" :class="answer.ok ? 'banner ok' : 'banner'" role="status">{{ answer.text }}</p>
          </form>
        </template>
      </template>
    </section>`,
};
