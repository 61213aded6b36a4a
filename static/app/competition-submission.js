// A team's entry to one stage (/teams/{team}/stages/{stage}): the fact sheet, the file slots with an upload progress
// bar, every version with its files' SHA-256 and which version counts, and the deadline with its countdown. Each
// save or upload is a new version; the server judges the deadline and the files and says why it refuses.
import { ref, reactive, computed, nextTick, onMounted } from "./vue.js";
import { api, upload, ApiError, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { at } from "./format.js";
import { route, link } from "./router.js";
import { countdown, useClock } from "./competition.js";

const KIND_NAMES = { pdf: "PDF", pptx: "PPTX", zip: "ZIP", mp4: "MP4" };

// A refusal in full: the problem's title ("已过截止时间：…") and what to do about it.
const refusalOf = (error) => (error instanceof ApiError ? [error.problem.title, error.problem.detail].filter(Boolean).join("：") : failure(error));

// "812.4 KB", "23.5 MB": a small entry is not "0.00 MB".
const size = (bytes) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

// One file slot: choose a file, send it, watch it go; the refusal stays under the slot until the next try.
const FileSlot = {
  props: ["spec", "path"],
  emits: ["uploaded"],
  setup(props, { emit }) {
    const chosen = ref(null);
    const sent = ref(null);  // the fraction sent, while sending and after
    const refusal = ref("");
    const busy = ref(false);
    const id = `slot-${props.spec.key}`;
    async function send() {
      if (!chosen.value) {
        refusal.value = t("comp.choose_file");
        return;
      }
      busy.value = true;
      refusal.value = "";
      sent.value = 0;
      try {
        const file = chosen.value;
        const version = await upload(`${props.path}/files/${props.spec.key}?name=${encodeURIComponent(file.name)}`, file,
          (fraction) => { sent.value = fraction; });
        sent.value = 1;
        emit("uploaded", version);
      } catch (error) {
        sent.value = null;
        refusal.value = refusalOf(error);
      } finally {
        busy.value = false;
      }
    }
    const accepts = computed(() => props.spec.kinds.map((kind) => `.${kind}`).join(","));
    const kinds = computed(() => props.spec.kinds.map((kind) => KIND_NAMES[kind] || kind).join(" / "));
    return { chosen, sent, refusal, busy, id, send, accepts, kinds, t, pick };
  },
  template: `
    <div class="comp-slot" :data-slot="spec.key">
      <label :for="id">{{ pick(spec.label) }}<span v-if="spec.required" aria-hidden="true"> *</span></label>
      <div :id="id + '-hint'" class="muted">{{ t("comp.slot_rule", { kinds, mb: spec.max_mb }) }}</div>
      <input :id="id" type="file" :accept="accepts" :aria-describedby="id + '-hint' + (refusal ? ' ' + id + '-error' : '')"
             :aria-invalid="!!refusal" @change="chosen = $event.target.files[0] || null; sent = null; refusal = ''">
      <div v-if="refusal" :id="id + '-error'" class="field-error" role="alert">{{ refusal }}</div>
      <div v-if="sent !== null" class="comp-progress">
        <progress :id="id + '-progress'" max="100" :value="Math.round(sent * 100)" :aria-label="t('comp.progress', { name: pick(spec.label) })"></progress>
        <span data-test="percent">{{ Math.round(sent * 100) }}%</span>
      </div>
      <button type="button" :disabled="busy" @click="send">{{ busy ? t("comp.uploading") : t("comp.upload") }}</button>
    </div>`,
};

export const SubmissionPage = {
  components: { FileSlot },
  props: ["id"],
  setup(props) {
    const stageId = Number(route.path.match(/\/stages\/(\d+)$/)[1]);
    const path = `/teams/${props.id}/stages/${stageId}`;
    const team = ref(null);
    const event = ref(null);
    const stage = ref(null);
    const versions = ref([]);
    const countingId = ref(null);
    const facts = reactive({});
    const errors = ref({});
    const banner = ref("");
    const notice = ref("");
    const missing = ref(false);
    const saving = ref(false);
    const clock = useClock();
    async function loadVersions() {
      const answer = await api(`${path}/submissions`);
      versions.value = answer.versions;
      countingId.value = answer.counting_id;
    }
    onMounted(async () => {
      try {
        team.value = await api(`/teams/${props.id}`);
        const [shown, competition] = await Promise.all([
          api(`/events/${team.value.event_id}`), api(`/events/${team.value.event_id}/competition`), loadVersions(),
        ]);
        event.value = shown;
        stage.value = competition.stages.find((candidate) => candidate.id === stageId) || null;
        missing.value = !stage.value;
        Object.assign(facts, Object.fromEntries((stage.value?.fact_sheet || []).map((field) => [field.key, ""])),
          versions.value[0]?.facts || {});
      } catch (error) {
        if (error instanceof ApiError && error.problem.status === 404) missing.value = true;
        else banner.value = failure(error);
      }
    });
    async function saveFacts() {
      saving.value = true;
      errors.value = {};
      banner.value = "";
      notice.value = "";
      try {
        const version = await api(`${path}/facts`, { method: "PUT", body: { facts: { ...facts } } });
        notice.value = recorded("comp.saved", version);
        await loadVersions();
      } catch (error) {
        errors.value = error instanceof ApiError ? error.fields : {};
        const fieldKeys = Object.keys(errors.value).filter((key) => key.startsWith("facts."));
        if (!fieldKeys.length) banner.value = refusalOf(error);
        await nextTick();
        document.getElementById(banner.value ? "sub-banner" : `fact-${fieldKeys[0].slice(6)}`)?.focus();
      } finally {
        saving.value = false;
      }
    }
    async function uploaded(version) {
      notice.value = recorded("comp.uploaded", version);
      await loadVersions();
    }
    // A version may lack required answers or files (they arrive one request each): say what, as the server words it.
    const lacking = (version) => t("comp.incomplete", { items: version.missing.map((item) => item.msg).join("；") });
    const recorded = (key, version) =>
      t(key, { version: version.version }) + (version.complete ? "" : ` ${lacking(version)}`);
    const slotName = (key) => pick(stage.value.file_slots.find((slot) => slot.key === key)?.label) || key;
    const factLabel = (key) => pick(stage.value.fact_sheet.find((field) => field.key === key)?.label) || key;
    const described = (key) => (errors.value[`facts.${key}`] ? `fact-${key}-error` : null);
    return {
      team, event, stage, versions, countingId, facts, errors, banner, notice, missing, saving, clock, path, saveFacts,
      uploaded, lacking, slotName, factLabel, described, countdown, size, at, t, pick, link,
    };
  },
  template: `
    <div v-if="missing" class="card">
      <h1>{{ t("comp.submission") }}</h1>
      <p class="banner" role="alert">{{ t("comp.submission_missing") }}</p>
    </div>
    <p v-else-if="banner && !stage" class="banner" role="alert">{{ banner }}</p>
    <template v-if="stage && event">
      <div class="card">
        <p class="muted"><a v-bind="link('/events/' + event.id + '/competition')">{{ pick(event.title) }}</a> · {{ team.name }}</p>
        <h1>{{ t("comp.submission") }}：{{ pick(stage.name) }}</h1>
        <p>{{ t("comp.stage_span", { start: at(stage.starts_at, event), deadline: at(stage.deadline, event) }) }}</p>
        <p><span class="badge" :class="{ ended: countdown(stage, clock.now).closed }" data-test="countdown">{{ countdown(stage, clock.now).text }}</span></p>
        <p class="muted">{{ t("comp.deadline_rule", { deadline: stage.deadline_local }) }}</p>
        <p v-if="team.status !== 'active'" class="banner">{{ t("comp.team_not_active", { status: t("team_status." + team.status) }) }}</p>
      </div>
      <p v-if="banner" id="sub-banner" tabindex="-1" class="banner" role="alert">{{ banner }}</p>
      <p v-if="notice" class="banner ok" role="status">{{ notice }}</p>
      <section v-if="stage.file_slots.length" class="card" aria-labelledby="files-heading">
        <h2 id="files-heading">{{ t("comp.files") }}</h2>
        <FileSlot v-for="slot in stage.file_slots" :key="slot.key" :spec="slot" :path="path" @uploaded="uploaded" />
      </section>
      <form v-if="stage.fact_sheet.length" class="card" @submit.prevent="saveFacts" novalidate aria-labelledby="facts-heading">
        <h2 id="facts-heading">{{ t("comp.fact_sheet") }}</h2>
        <div v-for="field in stage.fact_sheet" :key="field.key">
          <label :for="'fact-' + field.key">{{ pick(field.label) }}<span v-if="field.required" aria-hidden="true"> *</span><span v-else class="muted">{{ t("form.optional") }}</span></label>
          <textarea :id="'fact-' + field.key" v-model="facts[field.key]" :maxlength="field.max_length" :required="field.required"
                    :aria-invalid="!!errors['facts.' + field.key]" :aria-describedby="described(field.key)"></textarea>
          <div v-if="errors['facts.' + field.key]" :id="'fact-' + field.key + '-error'" class="field-error">{{ errors["facts." + field.key] }}</div>
        </div>
        <button type="submit" :disabled="saving">{{ t("comp.save_facts") }}</button>
      </form>
      <section class="card" aria-labelledby="versions-heading">
        <h2 id="versions-heading">{{ t("comp.versions") }}</h2>
        <p v-if="versions.length && !countingId" class="muted" data-test="none-counting">{{ t("comp.none_counting") }}</p>
        <p v-if="!versions.length" class="muted">{{ t("comp.no_versions") }}</p>
        <ol v-else class="comp-versions" data-test="versions">
          <li v-for="version in versions" :key="version.id" :data-version="version.version">
            <strong>{{ t("comp.version", { n: version.version }) }}</strong>
            <span v-if="version.id === countingId" class="badge" data-test="counting">{{ t("comp.counting") }}</span>
            <p v-if="!version.complete" class="comp-incomplete" data-test="incomplete">{{ lacking(version) }}</p>
            <div class="muted"><time :datetime="version.submitted_at">{{ at(version.submitted_at, event) }}</time></div>
            <ul>
              <li v-for="file in version.files" :key="file.slot">{{ slotName(file.slot) }}：
                <a :href="'/api/v1/submissions/' + version.id + '/files/' + file.slot">{{ file.name }}</a>
                <span class="muted" data-test="size">（{{ size(file.size) }}）</span>
                <div class="comp-hash">SHA-256 <code data-test="sha256">{{ file.sha256 }}</code></div>
              </li>
            </ul>
            <dl v-if="Object.keys(version.facts).length" class="comp-facts">
              <template v-for="(answer, key) in version.facts" :key="key"><dt>{{ factLabel(key) }}</dt><dd>{{ answer }}</dd></template>
            </dl>
          </li>
        </ol>
      </section>
    </template>`,
};
