// The access record (docs/architecture.md#access-record): who was shown registrants' personal data, when, why
// and how many people. One table serves the event's page (its organisers) and the bureau's page (every event).
import { ref, reactive, computed, watch, onMounted } from "./vue.js";
import { api, failure } from "./api.js";
import { i18n, t } from "./i18n.js";
import { me } from "./account.js";

const PURPOSES = ["list", "export", "door", "detail", "delivery"];  // events.models.Purpose
const PER_PAGE = 20;

export const AccessRecord = {
  props: { path: String, withEvent: Boolean },
  setup(props, { expose }) {
    const record = ref(null);
    const error = ref("");
    const filters = reactive({ purpose: "", page: 1 });
    const pages = computed(() => Math.max(1, Math.ceil((record.value?.total || 0) / PER_PAGE)));
    const at = (entry) => new Date(entry.at).toLocaleString(i18n.locale, { dateStyle: "short", timeStyle: "medium" });

    async function refresh() {
      const query = new URLSearchParams({ page: filters.page, per_page: PER_PAGE });
      if (filters.purpose) query.set("purpose", filters.purpose);
      try {
        record.value = await api(`${props.path}?${query}`);
        error.value = "";
      } catch (problem) {
        error.value = failure(problem);
      }
    }
    watch(() => filters.purpose, () => { if (filters.page !== 1) filters.page = 1; else refresh(); });
    watch(() => filters.page, refresh);
    onMounted(refresh);
    expose({ refresh });
    return { record, error, filters, pages, at, refresh, PURPOSES, t };
  },
  template: `
    <p class="muted">{{ t("access.explain") }}</p>
    <p v-if="error" class="banner" role="alert">{{ error }}</p>
    <div class="filters">
      <label>{{ t("access.purpose") }}
        <select v-model="filters.purpose" name="purpose">
          <option value="">{{ t("admin.all") }}</option>
          <option v-for="purpose in PURPOSES" :key="purpose" :value="purpose">{{ t("access.purpose." + purpose) }}</option>
        </select>
      </label>
      <button type="button" class="secondary" @click="refresh">{{ t("access.refresh") }}</button>
    </div>
    <p v-if="record && !record.items.length" class="muted">{{ t("access.none") }}</p>
    <div v-else-if="record" class="admin-table" tabindex="0" role="region" :aria-label="t('access.table')">
      <table>
        <thead><tr>
          <th scope="col">{{ t("access.col.at") }}</th>
          <th scope="col">{{ t("access.col.actor") }}</th>
          <th v-if="withEvent" scope="col">{{ t("access.col.event") }}</th>
          <th scope="col">{{ t("access.col.purpose") }}</th>
          <th scope="col">{{ t("access.col.people") }}</th>
          <th scope="col">{{ t("access.col.entry") }}</th>
        </tr></thead>
        <tbody>
          <tr v-for="entry in record.items" :key="entry.id" :data-entry="entry.id">
            <td>{{ at(entry) }}</td>
            <td>{{ entry.actor }}</td>
            <td v-if="withEvent" class="wrap">{{ entry.event_title }}</td>
            <td>{{ t("access.purpose." + entry.purpose) }}</td>
            <td>{{ entry.people }}</td>
            <td>#{{ entry.id }}</td>
          </tr>
        </tbody>
      </table>
    </div>
    <nav v-if="record && pages > 1" class="admin-pages" :aria-label="t('admin.pages')">
      <button type="button" class="secondary" :disabled="filters.page <= 1" @click="filters.page--">{{ t("admin.previous") }}</button>
      <span>{{ t("admin.page_of", { page: filters.page, pages, total: record.total }) }}</span>
      <button type="button" class="secondary" :disabled="filters.page >= pages" @click="filters.page++">{{ t("admin.next") }}</button>
    </nav>`,
};

// The bureau's review across organisations: admins only, as the API says.
export const AccessLogPage = {
  components: { AccessRecord },
  props: ["id", "go"],
  setup() {
    return { me, t };
  },
  template: `
    <h1>{{ t("access.heading") }}</h1>
    <p v-if="!me.user" class="banner" role="alert">{{ t("console.sign_in") }}
      <a href="/login" @click.prevent="go('/login')">{{ t("nav.login") }}</a></p>
    <p v-else-if="!me.user.is_admin" class="banner" role="alert">{{ t("access.bureau_only") }}</p>
    <section v-else class="card" aria-labelledby="access-all">
      <h2 id="access-all">{{ t("access.all_events") }}</h2>
      <AccessRecord path="/access-log" with-event />
    </section>`,
};
