// The registrant's live entry code: fetched from the server each time its ten-second window ends, so a
// screenshot forwarded to someone else is refused at the door. The registration's secret never reaches the browser.
import { ref, onMounted, onUnmounted } from "./vue.js";
import { api } from "./api.js";
import { t } from "./i18n.js";

const RETRY_SECONDS = 3;

export const EntryCode = {
  props: ["registrationId", "auth", "printed"],
  setup(props) {
    const live = ref(null);
    let timer = null;
    let stopped = false;
    async function fetchCode() {
      let wait = RETRY_SECONDS;
      try {
        live.value = await api(`/registrations/${props.registrationId}/entry-code`, { headers: props.auth });
        wait = live.value.refresh_in;
      } catch {
        live.value = null; // an old code would be refused anyway: show none rather than a stale one
      }
      if (!stopped) timer = setTimeout(fetchCode, wait * 1000 + 50);
    }
    onMounted(fetchCode);
    onUnmounted(() => {
      stopped = true;
      clearTimeout(timer);
    });
    return { live, t };
  },
  template: `
    <figure class="entry-code" data-test="entry-code">
      <img v-if="live" :src="live.svg" :alt="t('manage.code')" width="240" height="240">
      <figcaption class="muted qr-payload">
        <code v-if="live" data-test="entry-payload">{{ live.code }}</code><br>{{ t("manage.code_live") }}
        <template v-if="printed"><br><a :href="printed" target="_blank" rel="noopener">{{ t("manage.code_printed") }}</a></template>
      </figcaption>
    </figure>`,
};
