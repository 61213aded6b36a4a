// A person's privacy: the event's notice with its acceptance on the registration form, and "my data" (download,
// delete) on /me and on the manage-link page.
import { ref } from "./vue.js";
import { api, failure } from "./api.js";
import { i18n, t } from "./i18n.js";

// The notice in the page's language and the box that accepts it; `accepted` is the v-model.
export const PrivacyNotice = {
  props: ["notice", "accepted", "error"],
  emits: ["update:accepted"],
  setup() {
    const text = (notice) => (i18n.locale === "en" ? notice.text_en : notice.text_zh) || notice.text_zh;
    return { t, text };
  },
  template: `
    <fieldset id="f-privacy" tabindex="-1" class="checks" :aria-invalid="!!error"
              :aria-describedby="error ? 'f-privacy-error' : null">
      <legend>{{ t("privacy.heading") }}</legend>
      <p class="muted pre-line" data-test="privacy-notice">{{ text(notice) }}</p>
      <label class="check"><input type="checkbox" :checked="accepted"
             @change="$emit('update:accepted', $event.target.checked)"> {{ t("privacy.accept") }}</label>
    </fieldset>
    <div v-if="error" id="f-privacy-error" class="field-error">{{ error }}</div>`,
};

// Download all my data and delete it. `path` is "/me" (the session's account) or "/registrations/{id}" (one
// registration, with its manage token as `token`); `erased` runs once the data is gone.
export const MyData = {
  props: ["path", "token"],
  emits: ["erased"],
  setup(props, { emit }) {
    const banner = ref("");
    const done = ref(false);
    const auth = props.token ? { Authorization: `Bearer ${props.token}` } : {};
    const withToken = props.token ? `?token=${encodeURIComponent(props.token)}` : "";
    const download = (format) => `/api/v1${props.path}/${format === "xlsx" ? "data.xlsx" : "data"}${withToken}`;
    async function erase() {
      if (!confirm(t("privacy.confirm_delete"))) return;
      banner.value = "";
      try {
        await api(`${props.path}/erase`, { method: "POST", body: { confirm: true }, headers: auth });
        done.value = true;
        emit("erased");
      } catch (error) {
        banner.value = failure(error);
      }
    }
    return { banner, done, download, erase, t };
  },
  template: `
    <section class="card" aria-labelledby="my-data-heading">
      <h2 id="my-data-heading">{{ t("privacy.my_data") }}</h2>
      <p v-if="done" class="banner ok" role="status">{{ t("privacy.deleted") }}</p>
      <template v-else>
        <p class="muted">{{ t("privacy.explain") }}</p>
        <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
        <p><a :href="download('json')" download>{{ t("privacy.download_json") }}</a> ·
           <a :href="download('xlsx')" download>{{ t("privacy.download_xlsx") }}</a></p>
        <button type="button" class="secondary" @click="erase">{{ t("privacy.delete") }}</button>
      </template>
    </section>`,
};
