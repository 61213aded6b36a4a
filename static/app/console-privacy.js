// The event's privacy notice on its console page: the text registrants accept (zh-CN and en) and how many days
// after the event their data is kept. Saving publishes a new version; registrations accept the newest only.
import { reactive, ref, onMounted } from "./vue.js";
import { api } from "./api.js";
import { t } from "./i18n.js";
import { attempt } from "./console-fields.js";

const FIELDS = ["text_zh", "text_en", "retention_days"];

export const PrivacySection = {
  props: ["event"],
  setup(props) {
    const notice = ref(null);
    const state = reactive({ form: { text_zh: "", text_en: "", retention_days: "" }, errors: {}, banner: "", done: "", busy: false });
    const path = `/events/${props.event.id}/privacy-notice`;
    // A default notice is shown as its wording but kept empty in the form, so saving it keeps following the default.
    const fill = (answer) => {
      notice.value = answer;
      state.form = {
        text_zh: answer.is_default ? "" : answer.text_zh,
        text_en: answer.is_default ? "" : answer.text_en,
        retention_days: String(answer.retention_days),
      };
    };
    onMounted(async () => fill(await api(path)));
    async function save() {
      const days = state.form.retention_days.trim();
      const body = { ...state.form, retention_days: days === "" || Number.isNaN(Number(days)) ? days : Number(days) };
      const answer = await attempt(state, FIELDS, () => api(path, { method: "PUT", body }));
      if (!answer) return;
      fill(answer);
      state.done = t("console.privacy.saved", { version: answer.version });
    }
    const described = (name, hint) => [hint, state.errors[name] ? `pn-${name}-error` : null].filter(Boolean).join(" ") || null;
    return { notice, state, save, described, t };
  },
  template: `
    <section class="card" aria-labelledby="pn-heading">
      <h2 id="pn-heading">{{ t("console.privacy.heading") }}</h2>
      <template v-if="notice">
        <p class="muted" id="pn-version">{{ notice.is_default
          ? t("console.privacy.current_default", { version: notice.version, days: notice.retention_days })
          : t("console.privacy.current", { version: notice.version, days: notice.retention_days }) }}</p>
        <details>
          <summary>{{ t("console.privacy.as_shown") }}</summary>
          <p class="notice-text" lang="zh-CN">{{ notice.text_zh }}</p>
          <p class="notice-text" lang="en">{{ notice.text_en }}</p>
        </details>
      </template>
      <form @submit.prevent="save" novalidate>
        <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
        <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
        <div v-for="name in ['text_zh', 'text_en']" :key="name">
          <label :for="'pn-' + name">{{ t("console.privacy." + name) }}</label>
          <textarea :id="'pn-' + name" v-model="state.form[name]" rows="5" :aria-invalid="!!state.errors[name]"
                    :aria-describedby="described(name, 'pn-text-hint')"></textarea>
          <div v-if="state.errors[name]" :id="'pn-' + name + '-error'" class="field-error">{{ state.errors[name] }}</div>
        </div>
        <p id="pn-text-hint" class="muted">{{ t("console.privacy.text_hint") }}</p>
        <label for="pn-retention_days">{{ t("console.privacy.retention_days") }}</label>
        <input id="pn-retention_days" v-model="state.form.retention_days" inputmode="numeric" :aria-invalid="!!state.errors.retention_days"
               :aria-describedby="described('retention_days', 'pn-retention-hint')">
        <p id="pn-retention-hint" class="muted">{{ t("console.privacy.retention_hint") }}</p>
        <div v-if="state.errors.retention_days" id="pn-retention_days-error" class="field-error">{{ state.errors.retention_days }}</div>
        <p class="muted" id="pn-new-version">{{ t("console.privacy.new_version") }}</p>
        <button type="submit" :disabled="state.busy" aria-describedby="pn-new-version">{{ t("console.privacy.save") }}</button>
      </form>
    </section>`,
};
