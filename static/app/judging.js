// The judge's side of a competition: the queue of entries assigned to me (/judging) and one entry's declaration and
// score sheet (/judging/{assignment}). An entry opens only after its judge declares no conflict; the sheet saves
// itself as the judge goes (each save sends only the criteria changed since, so two tabs never undo each other).
import { computed, onBeforeUnmount, onMounted, reactive, ref } from "./vue.js";
import { api, ApiError, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { instant } from "./format.js";
import { me } from "./account.js";
import { link } from "./router.js";

const SAVE_AFTER_MS = 600;

// Where an entry stands for its judge.
export const stateOf = (item) => (item.submitted ? "submitted" : item.cleared ? "score" : "declare");

const SignInFirst = {
  setup: () => ({ t, link }),
  template: `<p class="banner" role="alert">{{ t("judging.sign_in") }} <a v-bind="link('/login')">{{ t("nav.login") }}</a></p>`,
};

export const JudgingQueue = {
  components: { SignInFirst },
  setup() {
    const items = ref(null);
    const banner = ref("");
    onMounted(async () => {
      if (!me.user) return;
      try {
        items.value = await api("/judging/queue");
      } catch (error) {
        banner.value = failure(error);
      }
    });
    // One group per stage, in the queue's order, with its progress.
    const stages = computed(() => {
      const groups = new Map();
      for (const item of items.value || []) {
        if (!groups.has(item.stage_id)) groups.set(item.stage_id, { ...item, entries: [] });
        groups.get(item.stage_id).entries.push(item);
      }
      return [...groups.values()].map((group) => ({
        ...group, done: group.entries.filter((item) => item.submitted).length,
      }));
    });
    return { items, banner, stages, stateOf, me, t, pick, link };
  },
  template: `
    <h1>{{ t("judging.queue") }}</h1>
    <SignInFirst v-if="!me.user" />
    <p v-else-if="banner" class="banner" role="alert">{{ banner }}</p>
    <p v-else-if="items && !items.length" class="muted">{{ t("judging.queue_empty") }}</p>
    <section v-for="stage in stages" :key="stage.stage_id" class="card judging-stage"
             :aria-labelledby="'judging-stage-' + stage.stage_id">
      <h2 :id="'judging-stage-' + stage.stage_id">{{ pick(stage.event_title) }} · {{ pick(stage.stage_name) }}</h2>
      <p class="muted">{{ t("judging.progress", { done: stage.done, total: stage.entries.length }) }}</p>
      <progress :value="stage.done" :max="stage.entries.length"
                :aria-label="t('judging.progress', { done: stage.done, total: stage.entries.length })"></progress>
      <ul class="judging-entries">
        <li v-for="item in stage.entries" :key="item.assignment_id">
          <a v-bind="link('/judging/' + item.assignment_id)">
            {{ item.team_name || t("judging.entry_hidden", { n: item.team_id }) }}</a>
          <span class="badge" :class="{ wait: stateOf(item) === 'declare' }">{{ t("judging.state." + stateOf(item)) }}</span>
        </li>
      </ul>
    </section>`,
};

// Before the entry opens: no conflict, or a conflict with its reason (which takes the entry off the judge's list).
const Declaration = {
  props: ["assignmentId"],
  emits: ["cleared", "conflicted"],
  setup(props, { emit }) {
    const conflict = ref(false);
    const reason = ref("");
    const error = ref("");
    const fields = ref({});
    const busy = ref(false);
    async function declare() {
      busy.value = true;
      error.value = "";
      fields.value = {};
      try {
        const body = { conflict: conflict.value, reason: conflict.value ? reason.value : "" };
        await api(`/judging/assignments/${props.assignmentId}/declaration`, { method: "POST", body });
        emit(conflict.value ? "conflicted" : "cleared");
      } catch (failed) {
        // A conflict without its reason is refused as a whole (422): the message belongs under the reason.
        if (failed instanceof ApiError && failed.problem.status === 422 && conflict.value) {
          fields.value = { reason: failed.fields.reason || failure(failed) };
        } else {
          error.value = failure(failed);
        }
      } finally {
        busy.value = false;
      }
    }
    return { conflict, reason, error, fields, busy, declare, t };
  },
  template: `
    <form class="card" novalidate @submit.prevent="declare" aria-labelledby="declare-heading">
      <h2 id="declare-heading">{{ t("judging.declare_heading") }}</h2>
      <p>{{ t("judging.declare_explain") }}</p>
      <fieldset>
        <legend>{{ t("judging.declare_question") }}</legend>
        <label class="check"><input type="radio" name="conflict" :value="false" v-model="conflict"> {{ t("judging.no_conflict") }}</label>
        <label class="check"><input type="radio" name="conflict" :value="true" v-model="conflict"> {{ t("judging.has_conflict") }}</label>
      </fieldset>
      <template v-if="conflict">
        <label for="declare-reason">{{ t("judging.conflict_reason") }}</label>
        <textarea id="declare-reason" v-model="reason" maxlength="500" rows="3"
                  :aria-describedby="fields.reason ? 'declare-reason-error' : undefined" :aria-invalid="!!fields.reason"></textarea>
        <div v-if="fields.reason" id="declare-reason-error" class="field-error">{{ fields.reason }}</div>
      </template>
      <p v-if="error" class="banner" role="alert">{{ error }}</p>
      <button type="submit" :disabled="busy">{{ t(conflict ? "judging.declare_conflict" : "judging.declare_none") }}</button>
    </form>`,
};

// One criterion: its weight, scale and anchors; chips for each point on a short scale, a number field on a long one.
const Criterion = {
  props: ["criterion", "value", "disabled"],
  emits: ["score"],
  setup(props, { emit }) {
    const c = props.criterion;
    const points = c.maximum - c.minimum <= 20 ? Array.from({ length: c.maximum - c.minimum + 1 }, (_, i) => c.minimum + i) : null;
    const typed = (event) => { if (event.target.value !== "") emit("score", Number(event.target.value)); };
    return { points, typed, t, pick, c };
  },
  template: `
    <fieldset class="criterion" :aria-describedby="'anchors-' + c.key">
      <legend>{{ pick(c.label) }} <span class="muted">{{ t("judging.scale", { weight: c.weight, min: c.minimum, max: c.maximum }) }}</span></legend>
      <ul :id="'anchors-' + c.key" class="anchors muted">
        <li v-for="anchor in c.anchors" :key="anchor.score">{{ t("judging.anchor", { score: anchor.score, text: pick(anchor.text) }) }}</li>
      </ul>
      <div v-if="points" class="points">
        <label v-for="point in points" :key="point" class="point">
          <input type="radio" :name="'score-' + c.key" :value="point" :checked="value === point" :disabled="disabled"
                 @change="$emit('score', point)"><span>{{ point }}</span></label>
      </div>
      <label v-else>{{ t("judging.points") }}
        <input type="number" :min="c.minimum" :max="c.maximum" step="any" :value="value ?? ''" :disabled="disabled" @change="typed"></label>
    </fieldset>`,
};

export const JudgingSheet = {
  components: { SignInFirst, Declaration, Criterion },
  props: ["id"],
  setup(props) {
    const sheet = ref(null);
    const state = ref("loading");  // loading | declare | open | missing | conflicted
    const banner = ref("");
    const scores = reactive({});
    const pending = {};  // criteria changed since the last save
    const savedAt = ref(null);
    const saving = ref(false);
    const submitError = ref("");
    let timer = null;
    // The queue says whether the entry is still mine and declared: an entry ended by a conflict is not in it.
    async function load() {
      try {
        const item = (await api("/judging/queue")).find((entry) => String(entry.assignment_id) === String(props.id));
        if (!item || !item.cleared) {
          state.value = item ? "declare" : "missing";
          return;
        }
        sheet.value = await api(`/judging/assignments/${props.id}`);
        Object.assign(scores, sheet.value.scores);
        state.value = "open";
      } catch (error) {
        state.value = "failed";
        banner.value = failure(error);
      }
    }
    async function save() {
      timer = null;
      const body = { scores: { ...pending } };
      if (!Object.keys(body.scores).length) return;
      for (const key of Object.keys(body.scores)) delete pending[key];
      saving.value = true;
      try {
        const answer = await api(`/judging/assignments/${props.id}/sheet`, { method: "PATCH", body });
        sheet.value = { ...sheet.value, submitted: answer.submitted };
        savedAt.value = new Date();
        banner.value = "";
      } catch (error) {
        Object.assign(pending, Object.fromEntries(Object.entries(body.scores).filter(([key]) => !(key in pending))));
        banner.value = failure(error);
      } finally {
        saving.value = false;
      }
    }
    function score(key, value) {
      scores[key] = value;
      pending[key] = value;
      clearTimeout(timer);
      timer = setTimeout(save, SAVE_AFTER_MS);
    }
    async function submit() {
      clearTimeout(timer);
      await save();
      submitError.value = "";
      try {
        sheet.value = await api(`/judging/assignments/${props.id}/sheet/submit`, { method: "POST" });
      } catch (error) {
        // 422 names each criterion left unscored by its path (ending in its key): say them by their labels.
        const paths = error instanceof ApiError ? Object.keys(error.fields) : [];
        const named = (c) => paths.some((path) => path === c.key || path.endsWith(`.${c.key}`));
        const missing = sheet.value.rubric.criteria.filter(named).map((c) => pick(c.label));
        submitError.value = missing.length ? t("judging.unscored_criteria", { names: missing.join("、") }) : failure(error);
      }
    }
    // Leaving with a save pending: send it now rather than lose it.
    onBeforeUnmount(() => { if (timer) { clearTimeout(timer); save(); } });
    onMounted(() => me.user && load());
    const slotLabel = (key) => pick(sheet.value?.file_slots.find((slot) => slot.key === key)?.label) || key;
    const factLabel = (key) => pick(sheet.value?.fact_sheet.find((field) => field.key === key)?.label) || key;
    const fileUrl = (file) => `/api/v1/submissions/${sheet.value.submission.id}/files/${encodeURIComponent(file.slot)}`;
    const savedLabel = computed(() => savedAt.value && t("judging.saved", { time: savedAt.value.toLocaleTimeString("zh-CN", { hour12: false }) }));
    return {
      sheet, state, banner, scores, savedLabel, saving, submitError, score, submit, load, slotLabel, factLabel, fileUrl,
      instant, me, t, pick, link,
    };
  },
  template: `
    <p class="muted"><a v-bind="link('/judging')">← {{ t("judging.back") }}</a></p>
    <SignInFirst v-if="!me.user" />
    <template v-else-if="state === 'declare'">
      <h1>{{ t("judging.entry_hidden", { n: id }) }}</h1>
      <Declaration :assignment-id="id" @cleared="load" @conflicted="state = 'conflicted'" />
    </template>
    <template v-else-if="state === 'conflicted'">
      <h1>{{ t("judging.queue") }}</h1>
      <p class="banner ok" role="status">{{ t("judging.conflict_recorded") }}</p>
    </template>
    <template v-else-if="state === 'missing' || state === 'failed'">
      <h1>{{ t("judging.queue") }}</h1>
      <p class="banner" role="alert">{{ state === 'missing' ? t("judging.not_yours") : banner }}</p>
    </template>
    <template v-else-if="state === 'open'">
      <h1>{{ sheet.team_name }}</h1>
      <p class="muted">{{ pick(sheet.stage_name) }}
        <span class="badge" :class="{ wait: !sheet.submitted }">{{ t(sheet.submitted ? "judging.state.submitted" : "judging.state.score") }}</span></p>
      <section class="card" aria-labelledby="entry-heading">
        <h2 id="entry-heading">{{ t("judging.entry") }}</h2>
        <p v-if="!sheet.submission" class="muted">{{ t("judging.no_submission") }}</p>
        <template v-else>
          <p class="muted">{{ t("judging.version", { n: sheet.submission.version, at: instant(sheet.submission.submitted_at) }) }}</p>
          <dl class="facts">
            <template v-for="(value, key) in sheet.submission.facts" :key="key">
              <dt>{{ factLabel(key) }}</dt><dd>{{ value }}</dd>
            </template>
          </dl>
          <ul class="files">
            <li v-for="file in sheet.submission.files" :key="file.slot">
              <a :href="fileUrl(file)" download>{{ slotLabel(file.slot) }}：{{ file.name }}</a>
              <span class="muted">（{{ t("judging.file_size", { kb: Math.ceil(file.size / 1024) }) }}）</span></li>
          </ul>
        </template>
      </section>
      <form class="card" novalidate @submit.prevent="submit" aria-labelledby="sheet-heading">
        <h2 id="sheet-heading">{{ t("judging.sheet") }}</h2>
        <p class="muted">{{ t("judging.autosave") }}</p>
        <Criterion v-for="criterion in sheet.rubric.criteria" :key="criterion.key" :criterion="criterion"
                   :value="scores[criterion.key]" :disabled="sheet.submitted" @score="(value) => score(criterion.key, value)" />
        <p class="muted" role="status" data-test="saved">{{ saving ? t("judging.saving") : savedLabel }}</p>
        <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
        <p v-if="submitError" class="banner" role="alert">{{ submitError }}</p>
        <p v-if="sheet.submitted" class="banner ok" role="status">{{ t("judging.submitted") }}</p>
        <button v-else type="submit">{{ t("judging.submit") }}</button>
      </form>
    </template>`,
};
