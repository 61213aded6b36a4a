// The organiser console: my organisations and their events (drafts too), with publish and cancel behind a
// confirmation that says who will be mailed. The event editor lives in console-editor.js.
import { ref, computed, nextTick, onMounted, onUnmounted } from "./vue.js";
import { api, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { me } from "./account.js";
import { when } from "./format.js";
import { link } from "./router.js";
import { keepFocusIn } from "./focus.js";
import { kindName, loadEventKinds } from "./kinds.js";

export { EventEditor } from "./console-editor.js";

const CONSOLE_ROLES = ["manager", "organiser", "checker"];
const EVENT_HOSTS = ["bureau", "organiser", "training_base", "university"];  // events/editing.py: EVENT_HOSTS
// Those who still hold or wait for a seat: they get the cancellation mail (events/mailing.py: event_cancelled).
const NOTIFIED = ["confirmed", "pending", "offered", "waitlisted"];

// A modal question that the keyboard can answer: focus starts on the confirm button (Enter confirms), Tab
// stays inside, Escape dismisses, and focus goes back where it was.
export const ConfirmDialog = {
  props: ["title", "message", "confirmLabel"],
  emits: ["confirm", "dismiss"],
  setup() {
    const dialog = ref(null);
    const ok = ref(null);
    const before = document.activeElement;
    onMounted(() => {
      dialog.value.showModal();
      ok.value.focus();
    });
    onUnmounted(() => before?.focus?.());
    return { dialog, ok, keepFocusIn, t };
  },
  template: `
    <dialog ref="dialog" class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-message"
            @cancel.prevent="$emit('dismiss')" @keydown="keepFocusIn">
      <h2 id="confirm-title">{{ title }}</h2>
      <p id="confirm-message">{{ message }}</p>
      <div class="actions">
        <button ref="ok" type="button" @click="$emit('confirm')">{{ confirmLabel }}</button>
        <button type="button" class="secondary" @click="$emit('dismiss')">{{ t("console.dialog.back") }}</button>
      </div>
    </dialog>`,
};

// One organisation: its events, or why they are not shown (a checker only checks people in at the door).
const OrganisationEvents = {
  props: ["organisation", "go"],
  emits: ["ask"],
  setup(props) {
    const events = ref(null);
    async function refresh() {
      if (!props.organisation.lists) return;
      const [page] = await Promise.all([api(`/organisations/${props.organisation.id}/events?per_page=200`), loadEventKinds()]);
      events.value = page.items;
    }
    onMounted(refresh);
    return { events, refresh, link, t, pick, when, kindName };
  },
  template: `
    <section class="card console-org">
      <div class="console-org-head">
        <h2>{{ pick(organisation.name) }}</h2>
        <a v-if="organisation.organises && organisation.hosts" class="button" v-bind="link('/console/events/new?org=' + organisation.id)">
          {{ t("console.new_event") }}</a>
      </div>
      <p class="muted">{{ organisation.roles.map((r) => t("console.role." + r)).join("、") }} ·
        <a v-bind="link('/console/organisations/' + organisation.id)">{{ t("orgs.members_link") }}</a></p>
      <p v-if="!organisation.lists" class="muted">{{ t("console.checker_only") }}</p>
      <p v-else-if="!organisation.organises" class="muted">{{ t("console.doors_only") }}</p>
      <p v-if="events && !events.length" class="muted">{{ t("console.no_events") }}</p>
      <ul v-else-if="events" class="console-events">
        <li v-for="event in events" :key="event.id" :data-event="event.id">
          <div>
            <strong>{{ pick(event.title) }}</strong>
            <span class="badge" :class="{ full: event.status === 'cancelled', wait: event.status === 'draft' }">
              {{ t("console.status." + event.status) }}</span>
          </div>
          <div class="muted">{{ kindName(event.kind) }} · {{ when(event) }}</div>
          <div class="console-links" role="group" :aria-label="pick(event.title)">
            <a v-if="organisation.organises && ['draft', 'published'].includes(event.status)"
               v-bind="link('/console/events/' + event.id + '/edit')">{{ t("console.edit") }}</a>
            <a v-if="organisation.organises" v-bind="link('/console/events/' + event.id)">{{ t("console.registrations") }}</a>
            <a v-if="organisation.organises && event.kind === 'matchmaking'" v-bind="link('/console/events/' + event.id + '/matchmaking')">
              {{ t("mm.grid.link") }}</a>
            <a v-bind="link('/events/' + event.id + '/door')">{{ t("console.door") }}</a>
            <template v-if="organisation.organises">
            <button v-if="event.status === 'draft'" type="button" @click="$emit('ask', 'publish', event, refresh)">
              {{ t("console.publish") }}</button>
            <button v-if="['draft', 'published'].includes(event.status)" type="button" class="secondary"
                    @click="$emit('ask', 'cancel', event, refresh)">{{ t("console.cancel") }}</button>
            </template>
          </div>
        </li>
      </ul>
    </section>`,
};

async function myOrganisations() {
  const user = me.user;
  if (user.is_admin) {
    const page = await api("/organisations?per_page=200");
    return page.items.map((o) => ({ id: o.id, name: o.name, roles: ["admin"], organises: true, lists: true, hosts: EVENT_HOSTS.includes(o.kind) }));
  }
  const roles = new Map();
  for (const m of user.memberships.filter((m) => CONSOLE_ROLES.includes(m.role))) {
    roles.set(m.organisation_id, [...(roles.get(m.organisation_id) || []), m.role]);
  }
  return Promise.all([...roles].map(async ([id, held]) => {
    const organisation = await api(`/organisations/${id}`);
    // A checker sees the events too, for their door links; only an organiser edits them.
    const lists = held.includes("organiser") || held.includes("checker");
    return { id, name: organisation.name, roles: held, organises: held.includes("organiser"), lists, hosts: EVENT_HOSTS.includes(organisation.kind) };
  }));
}

export const ConsoleHome = {
  props: ["id", "go"],
  components: { OrganisationEvents, ConfirmDialog },
  setup() {
    const organisations = ref(null);
    const asking = ref(null);
    const banner = ref("");
    const done = ref("");
    onMounted(async () => {
      if (me.user) organisations.value = await myOrganisations();
    });

    async function ask(action, event, refresh) {
      banner.value = done.value = "";
      const title = pick(event.title);
      let message = t("console.confirm_publish_message");
      if (action === "cancel") {
        const { counts } = await api(`/events/${event.id}/registrations?per_page=1`);
        const n = NOTIFIED.reduce((sum, status) => sum + (counts[status] || 0), 0);
        message = n ? t("console.confirm_cancel_message", { n }) : t("console.confirm_cancel_nobody");
      }
      asking.value = {
        action, event, refresh, message,
        title: t(`console.confirm_${action}_title`, { title }),
        label: t(`console.confirm_${action}`),
      };
    }
    const answer = ref(null);
    async function confirm() {
      const { action, event, refresh } = asking.value;
      asking.value = null;
      try {
        await api(`/events/${event.id}/${action}`, { method: "POST" });
        done.value = t(`console.done_${action}`, { title: pick(event.title) });
      } catch (error) {
        banner.value = failure(error);
      }
      await refresh();
      await nextTick();
      answer.value?.focus();  // the button that asked is gone with a published or cancelled event
    }
    const empty = computed(() => organisations.value && !organisations.value.length);
    return { organisations, asking, banner, done, answer, ask, confirm, empty, me, t };
  },
  template: `
    <h1>{{ t("console.heading") }}</h1>
    <p v-if="!me.user" class="banner" role="alert">{{ t("console.sign_in") }}
      <a href="/login" @click.prevent="go('/login')">{{ t("nav.login") }}</a></p>
    <div v-else>
      <p><a href="/console/organisations" @click.prevent="go('/console/organisations')">{{ t("orgs.heading") }}</a>
        <template v-if="me.user.is_admin"> · <a href="/console/access-log" @click.prevent="go('/console/access-log')">{{
          t("access.link") }}</a></template></p>
      <p v-if="banner" ref="answer" tabindex="-1" class="banner" role="alert">{{ banner }}</p>
      <p v-if="done" ref="answer" tabindex="-1" class="banner ok" role="status">{{ done }}</p>
      <p v-if="empty" class="muted">{{ t("console.no_organisations") }}</p>
      <OrganisationEvents v-for="o in organisations || []" :key="o.id" :organisation="o" :go="go" @ask="ask" />
      <ConfirmDialog v-if="asking" :title="asking.title" :message="asking.message" :confirm-label="asking.label"
                     @confirm="confirm" @dismiss="asking = null" />
    </div>`,
};
