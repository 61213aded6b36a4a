// The parts of an event that exist only once the event does: agenda sessions, ticket types, quotas (seats
// over ticket types) and the registration questions, each with its own small form.
import { reactive, ref, onMounted, watch } from "./vue.js";
import { api } from "./api.js";
import { t, pick } from "./i18n.js";
import { I18nInputs, attempt, showFailure, toInstant, toLocalInput } from "./console-fields.js";

const QUESTION_KINDS = ["text", "long_text", "number", "single_choice", "multi_choice", "bool", "date", "phone", "uscc", "email"];
const CHOICE_KINDS = ["single_choice", "multi_choice"];

// The state every section form keeps: its fields, their errors, and the banner/status lines.
function sectionState(blank) {
  return reactive({ form: blank(), errors: {}, banner: "", done: "", busy: false, blank });
}

async function submit(state, shown, send) {
  if (!(await attempt(state, shown, send))) return false;
  state.form = state.blank();
  return true;
}

// Remove one item; a refusal (say, a ticket type somebody registered with) shows in the section's banner.
async function remove(state, url) {
  return !!(await attempt(state, [], () => api(url, { method: "DELETE" })));
}

const ticketName = (event, id) => pick(event.ticket_types.find((type) => type.id === id)?.name);

export const AgendaSection = {
  props: ["event"],
  components: { I18nInputs },
  setup(props) {
    const sessions = ref([]);
    const blank = () => ({ title: { zh: "", en: "" }, speakers: "", room: "", starts_at: "", ends_at: "" });
    const state = sectionState(blank);
    const path = `/events/${props.event.id}/sessions`;
    const refresh = async () => { sessions.value = await api(path); };
    onMounted(refresh);
    async function add() {
      const { form } = state;
      const body = {
        ...form,
        speakers: form.speakers.split(/[,，、]/).map((s) => s.trim()).filter(Boolean),
        starts_at: toInstant(form.starts_at, props.event.timezone),
        ends_at: toInstant(form.ends_at, props.event.timezone),
      };
      if (await submit(state, ["title", "speakers", "room", "starts_at", "ends_at"],
                       () => api(path, { method: "POST", body }))) await refresh();
    }
    async function removeSession(session) {
      await remove(state, `${path}/${session.id}`);
      await refresh();
    }
    const at = (iso) => toLocalInput(iso, props.event.timezone).replace("T", " ");
    return { sessions, state, add, removeSession, at, t, pick };
  },
  template: `
    <section class="card">
      <h2>{{ t("console.agenda") }}</h2>
      <p v-if="!sessions.length" class="muted">{{ t("console.agenda_empty") }}</p>
      <ul class="plain">
        <li v-for="s in sessions" :key="s.id">
          <strong>{{ pick(s.title) }}</strong> <span class="muted">{{ at(s.starts_at) }} – {{ at(s.ends_at) }}
          <template v-if="s.room"> · {{ s.room }}</template><template v-if="s.speakers.length"> · {{ s.speakers.join("、") }}</template></span>
          <button type="button" class="secondary small" @click="removeSession(s)" :aria-label="t('console.remove_session', { title: pick(s.title) })">
            {{ t("console.remove") }}</button>
        </li>
      </ul>
      <form @submit.prevent="add" novalidate>
        <h3>{{ t("console.add_session") }}</h3>
        <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
        <I18nInputs v-model="state.form.title" name="title" prefix="s" :label="t('console.session_title')" :errors="state.errors" required />
        <label for="s-speakers">{{ t("console.speakers") }}</label>
        <input id="s-speakers" v-model="state.form.speakers" :aria-describedby="state.errors.speakers ? 's-speakers-error' : null">
        <div v-if="state.errors.speakers" id="s-speakers-error" class="field-error">{{ state.errors.speakers }}</div>
        <label for="s-room">{{ t("console.room") }}</label>
        <input id="s-room" v-model="state.form.room" :aria-describedby="state.errors.room ? 's-room-error' : null">
        <div v-if="state.errors.room" id="s-room-error" class="field-error">{{ state.errors.room }}</div>
        <div class="grid-2">
          <div v-for="name in ['starts_at', 'ends_at']" :key="name">
            <label :for="'s-' + name">{{ t("console.session_" + name) }}（{{ event.timezone }}）</label>
            <input :id="'s-' + name" v-model="state.form[name]" type="datetime-local"
                   :aria-describedby="state.errors[name] ? 's-' + name + '-error' : null">
            <div v-if="state.errors[name]" :id="'s-' + name + '-error'" class="field-error">{{ state.errors[name] }}</div>
          </div>
        </div>
        <button type="submit" :disabled="state.busy">{{ t("console.add_session") }}</button>
      </form>
    </section>`,
};

export const TicketsSection = {
  props: ["event"],
  emits: ["changed"],
  components: { I18nInputs },
  setup(props, { emit }) {
    const state = sectionState(() => ({ name: { zh: "", en: "" } }));
    const path = `/events/${props.event.id}/ticket-types`;
    async function add() {
      if (await submit(state, ["name"], () => api(path, { method: "POST", body: state.form }))) emit("changed");
    }
    async function removeType(type) {
      if (await remove(state, `${path}/${type.id}`)) emit("changed");
    }
    return { state, add, removeType, t, pick };
  },
  template: `
    <section class="card">
      <h2>{{ t("console.tickets") }}</h2>
      <ul class="plain">
        <li v-for="type in event.ticket_types" :key="type.id">
          {{ pick(type.name) }} <span v-if="type.is_default" class="badge">{{ t("console.default_ticket") }}</span>
          <span class="muted"> · {{ type.available === null ? t("console.unlimited") : t("seats.left", { n: type.available }) }}</span>
          <button v-if="!type.is_default" type="button" class="secondary small" @click="removeType(type)"
                  :aria-label="t('console.remove_ticket', { name: pick(type.name) })">{{ t("console.remove") }}</button>
        </li>
      </ul>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <form @submit.prevent="add" novalidate>
        <I18nInputs v-model="state.form.name" name="name" prefix="t" :label="t('console.ticket_name')" :errors="state.errors" required />
        <button type="submit" :disabled="state.busy">{{ t("console.add_ticket") }}</button>
      </form>
    </section>`,
};

export const QuotasSection = {
  props: ["event"],
  emits: ["changed"],
  setup(props, { emit }) {
    const quotas = ref([]);
    const sizes = reactive({});
    const state = sectionState(() => ({ name: "", size: "", ticket_types: [] }));
    const path = `/events/${props.event.id}/quotas`;
    async function refresh() {
      quotas.value = await api(path);
      for (const quota of quotas.value) sizes[quota.id] = quota.size;
    }
    onMounted(refresh);
    watch(() => props.event, refresh);  // a saved capacity or a new question's limits change the quotas
    const size = (value) => (value === "" ? null : Number(value));
    async function add() {
      const body = { ...state.form, size: size(state.form.size) };
      if (await submit(state, ["name", "size", "ticket_types"], () => api(path, { method: "POST", body }))) {
        state.done = t("console.quota_added");
        await refresh();
        emit("changed");
      }
    }
    const resizing = reactive({ errors: {}, banner: "", done: "", quota: null });
    async function resize(quota) {
      Object.assign(resizing, { errors: {}, banner: "", done: "", quota: quota.id });
      try {
        await api(`${path}/${quota.id}`, { method: "PATCH", body: { size: size(sizes[quota.id]) } });
        resizing.done = t("console.quota_resized", { name: label(quota) });
        await refresh();
        emit("changed");
      } catch (error) {
        showFailure(error, resizing, ["size"]);
      }
    }
    const covers = (quota) => (quota.question_key ? `${quota.question_key} = ${quota.choice_key}`
      : quota.covers_all ? t("console.all_tickets") : quota.ticket_types.map((id) => ticketName(props.event, id)).join("、"));
    const label = (quota) => (quota.name === "capacity" && quota.covers_all ? t("console.capacity_quota") : quota.name);
    return { quotas, sizes, state, add, resizing, resize, covers, label, t, pick };
  },
  template: `
    <section class="card">
      <h2>{{ t("console.quotas") }}</h2>
      <p v-if="resizing.banner" class="banner" role="alert">{{ resizing.banner }}</p>
      <p v-if="resizing.done" class="banner ok" role="status">{{ resizing.done }}</p>
      <p v-if="!quotas.length" class="muted">{{ t("console.quotas_empty") }}</p>
      <ul class="plain">
        <li v-for="q in quotas" :key="q.id" :data-quota="q.name">
          <strong>{{ label(q) }}</strong>
          <span class="muted"> · {{ covers(q) }} · </span>
          <span>{{ t("console.used_of", { used: q.used, size: q.size }) }}</span>
          <form class="inline" @submit.prevent="resize(q)" novalidate>
            <label :for="'q-size-' + q.id">{{ t("console.resize_label", { name: label(q) }) }}</label>
            <input :id="'q-size-' + q.id" v-model="sizes[q.id]" type="number" min="0" inputmode="numeric"
                   :aria-describedby="resizing.quota === q.id && resizing.errors.size ? 'q-size-' + q.id + '-error' : null">
            <button type="submit" class="secondary">{{ t("console.resize") }}</button>
            <div v-if="resizing.quota === q.id && resizing.errors.size" :id="'q-size-' + q.id + '-error'" class="field-error">{{ resizing.errors.size }}</div>
          </form>
        </li>
      </ul>
      <form @submit.prevent="add" novalidate>
        <h3>{{ t("console.add_quota") }}</h3>
        <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
        <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
        <label for="quota-name">{{ t("console.quota_name") }}</label>
        <input id="quota-name" v-model="state.form.name" :aria-describedby="state.errors.name ? 'quota-name-error' : null">
        <div v-if="state.errors.name" id="quota-name-error" class="field-error">{{ state.errors.name }}</div>
        <label for="quota-size">{{ t("console.quota_size") }}</label>
        <input id="quota-size" v-model="state.form.size" type="number" min="0" inputmode="numeric"
               :aria-describedby="state.errors.size ? 'quota-size-error' : null">
        <div v-if="state.errors.size" id="quota-size-error" class="field-error">{{ state.errors.size }}</div>
        <fieldset class="checks">
          <legend>{{ t("console.quota_tickets") }}</legend>
          <label v-for="type in event.ticket_types" :key="type.id">
            <input type="checkbox" :value="type.id" v-model="state.form.ticket_types"> {{ pick(type.name) }}</label>
        </fieldset>
        <button type="submit" :disabled="state.busy">{{ t("console.add_quota") }}</button>
      </form>
    </section>`,
};

export const QuestionsSection = {
  props: ["event"],
  emits: ["changed"],
  components: { I18nInputs },
  setup(props, { emit }) {
    const questions = ref([]);
    const blankChoice = () => ({ key: "", label: { zh: "", en: "" }, limit: "" });
    const state = sectionState(() => ({
      key: "", kind: "text", label: { zh: "", en: "" }, required: false, minimum: "", maximum: "", choices: [blankChoice()],
    }));
    const path = `/events/${props.event.id}/questions`;
    const refresh = async () => { questions.value = await api(path); };
    onMounted(refresh);
    const number = (value) => (value === "" ? null : Number(value));
    async function add() {
      const { form } = state;
      const choosing = CHOICE_KINDS.includes(form.kind);
      const body = {
        ...form,
        minimum: form.kind === "number" ? number(form.minimum) : null,
        maximum: form.kind === "number" ? number(form.maximum) : null,
        choices: choosing ? form.choices.map((c) => ({ ...c, limit: number(c.limit) })) : [],
      };
      const shown = ["key", "kind", "label", "required", "minimum", "maximum", "choices"];
      if (await submit(state, shown, () => api(path, { method: "POST", body }))) {
        state.done = t("console.question_added");
        await refresh();
        emit("changed");  // a choice limit is a quota too
      }
    }
    async function removeQuestion(question) {
      if (await remove(state, `${path}/${question.id}`)) {
        await refresh();
        emit("changed");  // its choices' quotas went with it
      }
    }
    const choiceError = (i, name) => state.errors[`choices.${i}.${name}`];
    return { questions, state, add, removeQuestion, blankChoice, choiceError, kinds: QUESTION_KINDS, CHOICE_KINDS, t, pick };
  },
  template: `
    <section class="card">
      <h2>{{ t("console.questions") }}</h2>
      <p v-if="!questions.length" class="muted">{{ t("console.questions_empty") }}</p>
      <ul class="plain">
        <li v-for="q in questions" :key="q.id">
          <strong>{{ pick(q.label) }}</strong> <code>{{ q.key }}</code>
          <span class="muted"> · {{ t("console.qkind." + q.kind) }}<template v-if="q.required"> · {{ t("console.required") }}</template></span>
          <button type="button" class="secondary small" @click="removeQuestion(q)"
                  :aria-label="t('console.remove_question', { label: pick(q.label) })">{{ t("console.remove") }}</button>
          <ul v-if="q.choices.length" class="plain nested">
            <li v-for="c in q.choices" :key="c.key">{{ pick(c) }} <code>{{ c.key }}</code>
              <span v-if="c.limit" class="muted"> · {{ t("console.choice_limit_of", { n: c.limit }) }}</span></li>
          </ul>
        </li>
      </ul>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <form @submit.prevent="add" novalidate>
        <h3>{{ t("console.add_question") }}</h3>
        <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
        <label for="qn-key">{{ t("console.question_key") }}</label>
        <input id="qn-key" v-model="state.form.key" autocapitalize="off"
               :aria-describedby="state.errors.key ? 'qn-key-hint qn-key-error' : 'qn-key-hint'">
        <div id="qn-key-hint" class="muted">{{ t("console.key_hint") }}</div>
        <div v-if="state.errors.key" id="qn-key-error" class="field-error">{{ state.errors.key }}</div>
        <label for="qn-kind">{{ t("console.question_kind") }}</label>
        <select id="qn-kind" v-model="state.form.kind">
          <option v-for="kind in kinds" :value="kind">{{ t("console.qkind." + kind) }}</option>
        </select>
        <I18nInputs v-model="state.form.label" name="label" prefix="qn" :label="t('console.question_label')" :errors="state.errors" required />
        <label class="check"><input type="checkbox" v-model="state.form.required"> {{ t("console.required") }}</label>
        <div v-if="state.form.kind === 'number'" class="grid-2">
          <div v-for="name in ['minimum', 'maximum']" :key="name">
            <label :for="'qn-' + name">{{ t("console." + name) }}</label>
            <input :id="'qn-' + name" v-model="state.form[name]" type="number"
                   :aria-describedby="state.errors[name] ? 'qn-' + name + '-error' : null">
            <div v-if="state.errors[name]" :id="'qn-' + name + '-error'" class="field-error">{{ state.errors[name] }}</div>
          </div>
        </div>
        <fieldset v-if="CHOICE_KINDS.includes(state.form.kind)" class="choices"
                  :aria-describedby="state.errors.choices ? 'qn-choices-error' : null">
          <legend>{{ t("console.choices") }}</legend>
          <div v-if="state.errors.choices" id="qn-choices-error" class="field-error">{{ state.errors.choices }}</div>
          <div v-for="(choice, i) in state.form.choices" :key="i" class="choice-row">
            <div>
              <label :for="'qc-key-' + i">{{ t("console.choice_key", { n: i + 1 }) }}</label>
              <input :id="'qc-key-' + i" v-model="choice.key" autocapitalize="off"
                     :aria-describedby="choiceError(i, 'key') ? 'qc-key-' + i + '-error' : null">
              <div v-if="choiceError(i, 'key')" :id="'qc-key-' + i + '-error'" class="field-error">{{ choiceError(i, "key") }}</div>
            </div>
            <div v-for="lang in ['zh', 'en']" :key="lang">
              <label :for="'qc-' + lang + '-' + i">{{ t("console.choice_label", { n: i + 1 }) }}（{{ t("console.lang." + lang) }}）</label>
              <input :id="'qc-' + lang + '-' + i" v-model="choice.label[lang]"
                     :aria-describedby="choiceError(i, 'label.' + lang) ? 'qc-' + lang + '-' + i + '-error' : null">
              <div v-if="choiceError(i, 'label.' + lang)" :id="'qc-' + lang + '-' + i + '-error'" class="field-error">{{ choiceError(i, "label." + lang) }}</div>
            </div>
            <div>
              <label :for="'qc-limit-' + i">{{ t("console.choice_limit", { n: i + 1 }) }}</label>
              <input :id="'qc-limit-' + i" v-model="choice.limit" type="number" min="1" inputmode="numeric" :placeholder="t('console.unlimited')"
                     :aria-describedby="choiceError(i, 'limit') ? 'qc-limit-' + i + '-error' : null">
              <div v-if="choiceError(i, 'limit')" :id="'qc-limit-' + i + '-error'" class="field-error">{{ choiceError(i, "limit") }}</div>
            </div>
            <button v-if="state.form.choices.length > 1" type="button" class="secondary small"
                    @click="state.form.choices.splice(i, 1)">{{ t("console.remove_choice", { n: i + 1 }) }}</button>
          </div>
          <button type="button" class="secondary" @click="state.form.choices.push(blankChoice())">{{ t("console.add_choice") }}</button>
        </fieldset>
        <button type="submit" :disabled="state.busy">{{ t("console.add_question") }}</button>
      </form>
    </section>`,
};
