// Public pages: the event list, an event with its registration form, and a registrant's own page.
// Routes follow the paths that mails link to: /, /events/{id}, /registrations/{id}?token=...
import { createApp, defineAsyncComponent, nextTick, reactive, ref, computed, onMounted, watch } from "./vue.js";
import { api, ApiError, failure, newestOnly } from "./api.js";
import { i18n, load, t, pick } from "./i18n.js";
import { InvitationPage, LoginPage, MePage, ResetPage, SignupPage, VerifyPage, logout, me, refreshMe } from "./account.js";
import { DoorPage } from "./door.js";
import { EntryCode } from "./entry-code.js";
import { route, go } from "./router.js";
import { at, when, seats, span, ticketSeats, closed, standing, today } from "./format.js";
import { CalendarView } from "./calendar-view.js";
import { eventKinds, kindName, loadEventKinds } from "./kinds.js";
import { NotFound } from "./not-found.js";
import { MyData, PrivacyNotice } from "./privacy.js";

// The organiser console and the talent pages load when first visited.
const lazy = (module, name) => defineAsyncComponent(() => import(module).then((loaded) => loaded[name]));

const VIEWS = ["list", "month", "week"];

const PER_PAGE = 20;

const EventList = {
  components: { CalendarView },
  props: ["id", "go"],
  setup() {
    const events = ref([]);
    const regions = ref([]);
    const domains = ref([]);
    // From today on unless the visitor clears the date: past events stay findable, not in the way.
    const filters = reactive({ q: "", kind: "", region: "", tag: "", from: today(), to: "" });
    // The calendar shows whole months and weeks: the list's "from today" default does not cut them.
    const calendarFilters = computed(() => ({ ...filters, from: filters.from === today() ? "" : filters.from }));
    const view = computed(() => (VIEWS.includes(route.query.get("view")) ? route.query.get("view") : "list"));
    const total = ref(0);
    const banner = ref("");
    const newest = newestOnly();
    // The first page for the current filters, or (`more`) the next one appended to what is shown.
    async function refresh(more = false) {
      if (view.value !== "list") return;  // the calendar asks for the days it shows
      const page = more === true ? Math.floor(events.value.length / PER_PAGE) + 1 : 1;
      const query = new URLSearchParams([...Object.entries(filters).filter(([, value]) => value), ["page", page], ["per_page", PER_PAGE]]);
      banner.value = "";
      try {
        const result = await newest(() => api(`/events?${query}`));
        if (!result) return;  // the filters changed again meanwhile
        events.value = page === 1 ? result.answer.items : [...events.value, ...result.answer.items];
        total.value = result.answer.total;
      } catch (error) {
        events.value = [];
        banner.value = failure(error);
      }
    }
    onMounted(async () => {
      try {
        [regions.value, domains.value] = await Promise.all([api("/regions"), api("/domains"), loadEventKinds()]);
      } catch (error) {
        banner.value = failure(error);
        return;
      }
      await refresh();
    });
    watch(filters, () => refresh());
    watch(view, () => refresh());
    const show = (name) => go(name === "list" ? "/" : `/?view=${name}`);
    return {
      events, total, banner, refresh, regions, domains, filters, calendarFilters, view, show, t, pick, when, standing, go,
      kinds: eventKinds, kindName, VIEWS,
    };
  },
  template: `
    <h1>{{ t("list.heading") }}</h1>
    <div class="filters">
      <label>{{ t("list.search") }}<input v-model.lazy="filters.q" name="q" type="search" maxlength="100"></label>
      <label>{{ t("list.kind") }}<select v-model="filters.kind" name="kind">
        <option value="">{{ t("list.all") }}</option>
        <option v-for="kind in kinds" :value="kind.code">{{ pick(kind.name) }}</option>
      </select></label>
      <label>{{ t("list.region") }}<select v-model="filters.region" name="region">
        <option value="">{{ t("list.all") }}</option>
        <option v-for="r in regions" :value="r.code">{{ pick(r.name) }}</option>
      </select></label>
      <label>{{ t("list.domain") }}<select v-model="filters.tag" name="tag">
        <option value="">{{ t("list.all") }}</option>
        <option v-for="d in domains" :value="d.code">{{ pick(d.name) }}</option>
      </select></label>
      <label>{{ t("list.from") }}<input v-model="filters.from" type="date" name="from"></label>
      <label>{{ t("list.to") }}<input v-model="filters.to" type="date" name="to"></label>
    </div>
    <div class="view-toggle" role="group" :aria-label="t('cal.view')">
      <button v-for="name in VIEWS" :key="name" type="button" class="secondary" :aria-pressed="String(view === name)"
              @click="show(name)">{{ t("cal." + name) }}</button>
    </div>
    <CalendarView v-if="view !== 'list'" :view="view" :filters="calendarFilters" />
    <template v-else>
      <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
      <p v-else-if="!events.length" class="muted">{{ t("list.empty") }}</p>
      <a v-for="event in events" :key="event.id" :href="'/events/' + event.id" @click.prevent="go('/events/' + event.id)"
         class="card card-link">
        <h2>{{ pick(event.title) }}</h2>
        <div class="muted">{{ kindName(event.kind) }} · {{ when(event) }} · {{ event.venue || event.online_url }}</div>
        <span class="badge" :class="standing(event).kind">{{ standing(event).label }}</span>
      </a>
      <button v-if="events.length < total" type="button" class="secondary" @click="refresh(true)">
        {{ t("list.more", { shown: events.length, total }) }}</button>
    </template>`,
};

// The answers as sent: a cleared input of an optional question means "not answered", not an empty answer.
const given = (answers) => Object.fromEntries(Object.entries(answers).filter(([, value]) => value !== "" && value != null));

// How each question kind is typed on a phone (the server validates every kind whatever the browser does).
const INPUT_TYPES = { number: "number", date: "date", email: "email", phone: "tel" };

const EventPage = {
  components: { NotFound, PrivacyNotice },
  props: ["id", "go"],
  setup(props) {
    const event = ref(null);
    const missing = ref(false);  // no such event, or not published: the API answers 404 to a visitor
    const questions = ref([]);
    const sessions = ref([]);
    // Signed in: name and email prefilled.
    const form = reactive({ name: me.user?.name || "", email: me.user?.email || "", ticket_type: null, answers: {}, accepted: false });
    const notice = ref(null);  // the privacy notice the registration accepts, by its version
    const errors = ref({});
    const banner = ref("");
    const result = ref(null);
    const sending = ref(false);
    const bannerElement = ref(null);
    const status = ref(null);
    const key = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
    onMounted(async () => {
      try {
        event.value = await api(`/events/${props.id}`);
        [questions.value, sessions.value, notice.value] = await Promise.all([
          api(`/events/${props.id}/questions`),
          api(`/events/${props.id}/sessions`),
          api(`/events/${props.id}/privacy-notice`),
        ]);
      } catch (error) {
        if (error instanceof ApiError && error.problem.status === 404) missing.value = true;
        else banner.value = failure(error);
        return;
      }
      for (const q of questions.value) if (q.kind === "multi_choice") form.answers[q.key] = [];
      form.ticket_type = (event.value.ticket_types.find((type) => type.is_default) || event.value.ticket_types[0])?.id ?? null;
    });
    // Field path → input id, in the order the form shows them: the first one in error takes the focus.
    const inputs = computed(() => [["name", "f-name"], ["email", "f-email"], ["ticket_type", "f-ticket"],
                                   ...questions.value.map((q) => [`answers.${q.key}`, `q-${q.key}`]),
                                   ["privacy_notice_version", "f-privacy"]]);
    async function submit() {
      sending.value = true;
      errors.value = {};
      banner.value = "";
      try {
        result.value = await api(`/events/${props.id}/registrations`, {
          method: "POST", headers: { "Idempotency-Key": key },
          body: { name: form.name, email: form.email, locale: i18n.locale, ticket_type: form.ticket_type, answers: given(form.answers),
                  privacy_notice_version: form.accepted ? notice.value.version : undefined },
        });
        event.value = await api(`/events/${props.id}`);  // the seats left changed
        await nextTick();
        status.value?.focus();
      } catch (error) {
        if (!(error instanceof ApiError)) banner.value = t("error.network");
        else {
          errors.value = error.fields;
          if (error.fields.privacy_notice_version && form.accepted) {  // it changed while the form was open
            notice.value = await api(`/events/${props.id}/privacy-notice`);
            form.accepted = false;
          }
          if (!Object.keys(error.fields).length || error.problem.status === 409) banner.value = error.problem.detail;
        }
        await nextTick();
        const first = inputs.value.find(([path]) => errors.value[path]);
        (first && !banner.value ? document.getElementById(first[1]) : bannerElement.value)?.focus();
      } finally {
        sending.value = false;
      }
    }
    const described = (path, id) => (errors.value[path] ? `${id}-error` : null);
    const manageUrl = computed(() => result.value && `/registrations/${result.value.id}?token=${result.value.manage_token}`);
    const calendar = computed(() => `/api/v1/events/${props.id}/calendar.ics`);
    const webcal = computed(() => `webcal://${location.host}${calendar.value}`);
    return {
      event, missing, questions, sessions, notice, form, errors, banner, result, sending, submit, described, bannerElement, status,
      manageUrl, calendar, webcal, t, pick, when, seats, ticketSeats, closed, span, go, INPUT_TYPES,
    };
  },
  template: `
    <NotFound v-if="missing" />
    <p v-else-if="banner && !event" class="banner" role="alert">{{ banner }}</p>
    <div v-if="event">
      <div class="card">
        <h1>{{ pick(event.title) }}</h1>
        <p v-if="event.status === 'cancelled'" class="banner">{{ t("event.cancelled") }}</p>
        <p><strong>{{ t("event.when") }}：</strong>{{ when(event) }}</p>
        <p><strong>{{ t("event.where") }}：</strong>{{ event.venue || event.online_url }}</p>
        <p v-if="closed(event) && event.status !== 'cancelled'"><span class="badge" :class="closed(event).kind">{{ closed(event).label }}</span></p>
        <p v-else-if="event.ticket_types.length < 2"><span class="badge" :class="seats(event).kind">{{ seats(event).label }}</span></p>
        <template v-else>
          <h2>{{ t("cal.tickets") }}</h2>
          <ul class="tickets">
            <li v-for="ticket in event.ticket_types" :key="ticket.id">
              {{ pick(ticket.name) }} <span class="badge" :class="ticketSeats(event, ticket).kind">{{ ticketSeats(event, ticket).label }}</span>
            </li>
          </ul>
        </template>
        <p><a :href="calendar">{{ t("event.calendar") }}</a> · <a :href="webcal">{{ t("event.subscribe") }}</a></p>
        <p v-if="event.kind === 'competition'"><a :href="'/events/' + event.id + '/competition'"
           @click.prevent="go('/events/' + event.id + '/competition')">{{ t("comp.open") }}</a></p>
        <p v-if="event.kind === 'matchmaking'"><a :href="'/events/' + event.id + '/matchmaking'"
           @click.prevent="go('/events/' + event.id + '/matchmaking')">{{ t("mm.party.link") }}</a></p>
        <div v-html="event.description_html"></div>
      </div>
      <section v-if="sessions.length" class="card" aria-labelledby="agenda-heading">
        <h2 id="agenda-heading">{{ t("event.agenda") }}</h2>
        <ol class="agenda">
          <li v-for="session in sessions" :key="session.id">
            <div class="muted">{{ span(session, event.timezone) }}<template v-if="session.room"> · {{ t("cal.room") }}：{{ session.room }}</template></div>
            <strong>{{ pick(session.title) }}</strong>
            <div v-if="session.speakers.length" class="muted">{{ t("cal.speakers") }}：{{ session.speakers.join("、") }}</div>
          </li>
        </ol>
      </section>
      <div class="card" v-if="result">
        <p ref="status" tabindex="-1" class="banner ok" role="status">{{ result.status === "waitlisted" ? t("result.waitlisted", { n: result.waitlist_position })
           : t("result." + result.status) }}</p>
        <p>{{ t("result.keep") }}</p>
        <a :href="manageUrl" @click.prevent="go(manageUrl)">{{ t("result.manage") }}</a>
      </div>
      <form v-else-if="!closed(event)" class="card" @submit.prevent="submit" novalidate>
        <h2>{{ t("form.heading") }}</h2>
        <p v-if="banner" ref="bannerElement" tabindex="-1" class="banner" role="alert">{{ banner }}</p>
        <label for="f-name">{{ t("form.name") }}</label>
        <input id="f-name" v-model="form.name" autocomplete="name" :aria-invalid="!!errors.name"
               :aria-describedby="described('name', 'f-name')">
        <div v-if="errors.name" id="f-name-error" class="field-error">{{ errors.name }}</div>
        <label for="f-email">{{ t("form.email") }}</label>
        <input id="f-email" v-model="form.email" type="email" autocomplete="email" :aria-invalid="!!errors.email"
               :aria-describedby="described('email', 'f-email')">
        <div v-if="errors.email" id="f-email-error" class="field-error">{{ errors.email }}</div>
        <fieldset v-if="event.ticket_types.length > 1" id="f-ticket" tabindex="-1" class="checks"
                  :aria-describedby="described('ticket_type', 'f-ticket')">
          <legend>{{ t("form.ticket_type") }}</legend>
          <label v-for="ticket in event.ticket_types" :key="ticket.id" class="check">
            <input type="radio" name="ticket_type" :value="ticket.id" v-model="form.ticket_type">
            {{ pick(ticket.name) }} <span class="muted">（{{ ticketSeats(event, ticket).label }}）</span></label>
        </fieldset>
        <div v-if="errors.ticket_type" id="f-ticket-error" class="field-error">{{ errors.ticket_type }}</div>
        <div v-for="q in questions" :key="q.key">
          <fieldset v-if="q.kind === 'multi_choice'" :id="'q-' + q.key" tabindex="-1" class="checks"
                    :aria-invalid="!!errors['answers.' + q.key]" :aria-describedby="described('answers.' + q.key, 'q-' + q.key)">
            <legend>{{ pick(q.label) }}<span v-if="q.required" aria-hidden="true"> *</span><span v-else class="muted">{{ t("form.optional") }}</span></legend>
            <label v-for="c in q.choices" :key="c.key" class="check">
              <input type="checkbox" :value="c.key" v-model="form.answers[q.key]" :disabled="c.full">
              {{ pick(c) }}<span v-if="c.full" class="muted">{{ t("form.choice_full") }}</span></label>
          </fieldset>
          <label v-else :for="'q-' + q.key">{{ pick(q.label) }}<span v-if="q.required" aria-hidden="true"> *</span><span v-else class="muted">{{ t("form.optional") }}</span></label>
          <select v-if="q.kind === 'single_choice'" :id="'q-' + q.key" v-model="form.answers[q.key]"
                  :required="q.required" :aria-invalid="!!errors['answers.' + q.key]"
                  :aria-describedby="described('answers.' + q.key, 'q-' + q.key)">
            <option :value="undefined" disabled>{{ t("form.choose") }}</option>
            <option v-for="c in q.choices" :value="c.key" :disabled="c.full">
              {{ pick(c) }}{{ c.full ? t("form.choice_full") : "" }}</option>
          </select>
          <input v-else-if="q.kind === 'bool'" :id="'q-' + q.key" type="checkbox" v-model="form.answers[q.key]"
                 :aria-invalid="!!errors['answers.' + q.key]" :aria-describedby="described('answers.' + q.key, 'q-' + q.key)">
          <textarea v-else-if="q.kind === 'long_text'" :id="'q-' + q.key" v-model="form.answers[q.key]"
                    :required="q.required" :aria-invalid="!!errors['answers.' + q.key]"
                    :aria-describedby="described('answers.' + q.key, 'q-' + q.key)"></textarea>
          <input v-else-if="q.kind !== 'multi_choice'" :id="'q-' + q.key" v-model="form.answers[q.key]" :required="q.required"
                 :type="INPUT_TYPES[q.kind] || 'text'" :inputmode="q.kind === 'phone' ? 'tel' : undefined"
                 :aria-invalid="!!errors['answers.' + q.key]" :aria-describedby="described('answers.' + q.key, 'q-' + q.key)">
          <div v-if="errors['answers.' + q.key]" :id="'q-' + q.key + '-error'" class="field-error">{{ errors["answers." + q.key] }}</div>
        </div>
        <PrivacyNotice v-if="notice" :notice="notice" v-model:accepted="form.accepted" :error="errors.privacy_notice_version" />
        <button type="submit" :disabled="sending">{{ sending ? t("form.sending") : t("form.submit") }}</button>
      </form>
    </div>`,
};

const ManagePage = {
  components: { EntryCode, MyData },
  props: ["id", "go"],
  setup(props) {
    // The link in the mails carries the registration's own token; a signed-in owner needs none (the cookie).
    const token = route.query.get("token") || "";
    const registration = ref(null);
    const event = ref(null);
    const missing = ref(false);
    const erased = ref(false);
    const banner = ref("");
    const auth = token ? { Authorization: `Bearer ${token}` } : {};
    async function refresh() {
      try {
        registration.value = await api(`/registrations/${props.id}`, { headers: auth });
        event.value = await api(`/events/${registration.value.event_id}`);
      } catch {
        missing.value = true;
      }
    }
    async function act(action) {
      if (action === "cancel" && !confirm(t("manage.confirm_cancel"))) return;
      try {
        registration.value = await api(`/registrations/${props.id}/${action}`, { method: "POST", headers: auth });
      } catch (error) {
        banner.value = failure(error);
      }
    }
    onMounted(refresh);
    const withToken = token ? `?token=${encodeURIComponent(token)}` : "";
    const invitation = `/api/v1/registrations/${props.id}/invitation.ics${withToken}`;
    const qr = `/api/v1/registrations/${props.id}/qr.svg${withToken}`;
    const active = computed(() => registration.value && !["cancelled", "rejected"].includes(registration.value.status)
                                  && event.value?.status === "published");
    return { registration, event, missing, erased, banner, act, invitation, qr, auth, active, token, t, pick, when, at, go, i18n };
  },
  template: `
    <h1 v-if="missing">{{ t("manage.heading") }}</h1>
    <p v-if="missing" class="banner" role="alert">{{ t("manage.not_found") }}</p>
    <p v-else-if="erased" class="banner ok" role="status">{{ t("privacy.deleted") }}</p>
    <template v-else-if="registration && event">
    <div class="card">
      <h1>{{ t("manage.heading") }}</h1>
      <p><a :href="'/events/' + event.id" @click.prevent="go('/events/' + event.id)">{{ pick(event.title) }}</a><br>
        <span class="muted">{{ when(event) }} · {{ event.venue || event.online_url }}</span></p>
      <p v-if="event.status === 'cancelled'" class="banner">{{ t("event.cancelled") }}</p>
      <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
      <p><strong>{{ t("manage.status") }}：</strong><span data-test="status">{{ t("status." + registration.status) }}</span></p>
      <p v-if="registration.reason"><strong>{{ t("manage.reason") }}：</strong>{{ registration.reason }}</p>
      <p v-if="registration.waitlist_position"><strong>{{ t("manage.position") }}：</strong>{{ registration.waitlist_position }}</p>
      <p v-if="registration.offered_until"><strong>{{ t("manage.deadline") }}：</strong>{{ at(registration.offered_until, event) }}</p>
      <EntryCode v-if="registration.status === 'confirmed' && event.status === 'published'" :registration-id="registration.id"
                 :auth="auth" :printed="event.static_entry_code ? qr : ''" />
      <p v-if="['confirmed', 'pending'].includes(registration.status) || event.status === 'cancelled'"><a :href="invitation">{{ t("manage.invitation") }}</a></p>
      <button v-if="registration.status === 'offered' && active" @click="act('accept')">{{ t("manage.accept") }}</button>
      <button v-if="active" class="secondary" @click="act('cancel')">{{ t("manage.cancel") }}</button>
    </div>
    <MyData :path="'/registrations/' + id" :token="token" @erased="erased = true" />
    </template>`,
};

// Path pattern → page; the first group, if any, becomes the page's `id`.
const PAGES = [
  [/^\/login$/, "LoginPage"],
  [/^\/signup$/, "SignupPage"],
  [/^\/me$/, "MePage"],
  [/^\/invitations$/, "InvitationPage"],
  [/^\/verify$/, "VerifyPage"],
  [/^\/reset$/, "ResetPage"],
  [/^\/events\/(\d+)\/door$/, "DoorPage"],
  [/^\/events\/(\d+)\/competition$/, "CompetitionPage"],
  [/^\/teams\/(\d+)\/stages\/\d+$/, "SubmissionPage"],
  [/^\/events\/(\d+)\/matchmaking$/, "MatchmakingPage"],
  [/^\/pool$/, "PoolBrowse"],
  [/^\/pool\/new$/, "PoolEditor"],
  [/^\/pool\/(\d+)$/, "PoolEntryPage"],
  [/^\/pool\/(\d+)\/edit$/, "PoolEditor"],
  [/^\/events\/(\d+)$/, "EventPage"],
  [/^\/registrations\/([0-9a-f-]+)$/, "ManagePage"],
  [/^\/console\/?$/, "ConsoleHome"],
  [/^\/console\/events\/new$/, "EventEditor"],
  [/^\/console\/events\/(\d+)\/edit$/, "EventEditor"],
  [/^\/console\/events\/(\d+)$/, "EventAdmin"],
  [/^\/console\/events\/(\d+)\/judging$/, "JudgingAdmin"],
  [/^\/judging$/, "JudgingQueue"],
  [/^\/judging\/(\d+)$/, "JudgingSheet"],
  [/^\/console\/events\/(\d+)\/matchmaking$/, "MatchmakingGrid"],
  [/^\/console\/access-log$/, "AccessLogPage"],
  [/^\/console\/organisations$/, "OrganisationsPage"],
  [/^\/console\/organisations\/(\d+)$/, "OrganisationPage"],
  [/^\/matchmaking\/agenda\/(\d+)$/, "MatchmakingAgenda"],
  [/^\/talent(?:\/.*)?$/, "TalentPage"],
  [/^\/$/, "EventList"],
];

const App = {
  components: {
    EventList, EventPage, ManagePage, LoginPage, SignupPage, MePage, InvitationPage, VerifyPage, ResetPage, DoorPage, NotFound,
    ConsoleHome: lazy("./console.js", "ConsoleHome"),
    EventEditor: lazy("./console.js", "EventEditor"),
    EventAdmin: lazy("./event-admin.js", "EventAdmin"),
    AccessLogPage: lazy("./access-log.js", "AccessLogPage"),
    OrganisationsPage: lazy("./console-orgs.js", "OrganisationsPage"),
    OrganisationPage: lazy("./console-orgs.js", "OrganisationPage"),
    TalentPage: lazy("./talent.js", "TalentPage"),
    CompetitionPage: lazy("./competition.js", "CompetitionPage"),
    SubmissionPage: lazy("./competition-submission.js", "SubmissionPage"),
    JudgingAdmin: lazy("./judging-admin.js", "JudgingAdmin"),
    JudgingQueue: lazy("./judging.js", "JudgingQueue"),
    JudgingSheet: lazy("./judging.js", "JudgingSheet"),
    PoolBrowse: lazy("./matchmaking-pool.js", "PoolBrowse"),
    PoolEntryPage: lazy("./matchmaking-pool.js", "PoolEntryPage"),
    PoolEditor: lazy("./matchmaking-pool.js", "PoolEditor"),
    MatchmakingPage: lazy("./matchmaking-party.js", "MatchmakingPage"),
    MatchmakingGrid: lazy("./matchmaking-grid.js", "MatchmakingGrid"),
    MatchmakingAgenda: lazy("./matchmaking-agenda.js", "MatchmakingAgenda"),
  },
  setup() {
    const page = computed(() => {
      for (const [pattern, component] of PAGES) {
        const match = route.path.match(pattern);
        if (match) return { component, id: match[1] ?? null };
      }
      return { component: "NotFound", id: null };
    });
    // The language is the account's when signed in, so the API's messages and the mails follow the toggle too.
    async function toggle() {
      const locale = i18n.locale === "zh-CN" ? "en" : "zh-CN";
      if (me.user) me.user = await api("/me", { method: "PATCH", body: { locale }, locale });
      await load(locale);
    }
    async function signOut() {
      await logout();
      go("/");
    }
    const holds = (test) => computed(() => !!me.user && (me.user.is_admin || me.user.memberships.some(test)));
    const organises = holds((m) => ["manager", "organiser", "checker"].includes(m.role));
    // A training base's reporters and managers both fill in its reports.
    const reports = holds((m) => m.organisation_kind === "training_base" && ["reporter", "manager"].includes(m.role));
    return { page, toggle, t, go, i18n, me, signOut, organises, reports };
  },
  template: `
    <a class="skip-link" href="#main">{{ t("cal.skip") }}</a>
    <header>
      <a href="/" @click.prevent="go('/')">{{ t("app.title") }}</a>
      <nav>
        <a href="/pool" @click.prevent="go('/pool')">{{ t("nav.pool") }}</a>
        <a v-if="organises" href="/console" @click.prevent="go('/console')">{{ t("nav.console") }}</a>
        <a v-if="reports" href="/talent" @click.prevent="go('/talent')">{{ t("nav.talent") }}</a>
        <a v-if="me.user" href="/me" @click.prevent="go('/me')">{{ me.user.name }}</a>
        <button v-if="me.user" type="button" class="plain-link" @click="signOut">{{ t("nav.logout") }}</button>
        <a v-else href="/login" @click.prevent="go('/login')">{{ t("nav.login") }}</a>
        <button class="secondary flush" @click="toggle"><span :lang="i18n.locale === 'en' ? 'zh-CN' : 'en'">{{ t("app.language") }}</span></button>
      </nav>
    </header>
    <main id="main" tabindex="-1" :key="i18n.locale + page.component + page.id">
      <component :is="page.component" :id="page.id" :go="go" />
    </main>`,
};

await Promise.all([load(i18n.locale), refreshMe()]);
createApp(App).mount("#app");
