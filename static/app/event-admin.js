// The organiser's page for one event: who registered (approve, reject, export), how its mail fared, and a
// message to the registrants, previewed as they will read it before it goes. Every action answers in its own
// section: a status line when it worked, an alert with the API's words when it did not.
import { ref, reactive, computed, nextTick, onMounted, watch } from "./vue.js";
import { api, ApiError, failure } from "./api.js";
import { i18n, t, pick } from "./i18n.js";
import { when } from "./format.js";
import { me } from "./account.js";
import { keepFocusIn } from "./focus.js";
import { link } from "./router.js";
import { AccessRecord } from "./access-log.js";

const STATES = ["confirmed", "pending", "waitlisted", "offered", "cancelled", "rejected"];
const MAIL_STATES = ["pending", "sending", "retry", "sent", "failed", "superseded"];
const PER_PAGE = 20;

// One answer line per section; a new action anywhere clears the others, so the page never shows a stale one.
export function feedback() {
  const state = reactive({ at: "", ok: "", error: "" });
  return {
    state,
    ok(at, text) { Object.assign(state, { at, ok: text, error: "" }); },
    fail(at, error) { Object.assign(state, { at, ok: "", error: failure(error) }); },
    clear() { Object.assign(state, { at: "", ok: "", error: "" }); },
  };
}

export const Feedback = {
  props: ["state", "at"],
  template: `
    <p v-if="state.at === at && state.ok" class="banner ok" role="status" tabindex="-1">{{ state.ok }}</p>
    <p v-if="state.at === at && state.error" class="banner" role="alert" tabindex="-1">{{ state.error }}</p>`,
};

// "Company: 济南智造 · Lunch: yes", with choices and yes/no in the reader's language.
function compactAnswers(answers, questions) {
  const shown = [];
  for (const question of questions) {
    const value = answers?.[question.key];
    if (value === undefined || value === null || value === "") continue;
    const label = (key) => pick(question.choices.find((choice) => choice.key === key)) || String(key);
    const text = Array.isArray(value) ? new Intl.ListFormat(i18n.locale).format(value.map(label))
      : typeof value === "boolean" ? t(value ? "admin.yes" : "admin.no")
      : question.choices.length ? label(value) : String(value);
    shown.push(t("admin.answer", { label: pick(question.label), value: text }));
  }
  return shown.join(" · ");
}

const Registrations = {
  components: { Feedback },
  props: ["event", "questions", "notice"],
  emits: ["changed", "denied"],
  setup(props, { emit, expose }) {
    const list = ref(null);
    const filters = reactive({ status: "", q: "" });
    const search = ref("");
    const page = ref(1);
    const busy = ref(false);
    const rejecting = ref(null);
    const reason = ref("");
    const reasonError = ref("");
    const dialog = ref(null);

    const ticketNames = computed(() => Object.fromEntries(props.event.ticket_types.map((tt) => [tt.id, pick(tt.name)])));
    const pages = computed(() => Math.max(1, Math.ceil((list.value?.total || 0) / PER_PAGE)));
    const query = (extra = {}) => {
      const params = new URLSearchParams(Object.entries({ ...filters, ...extra }).filter(([, v]) => v !== "" && v !== null));
      return params.toString();
    };
    const exportUrl = (format) => `/api/v1/events/${props.event.id}/registrations?${query({ format })}`;
    const created = (row) => new Date(row.created_at).toLocaleString(i18n.locale, {
      dateStyle: "short", timeStyle: "short", timeZone: props.event.timezone,
    });

    async function refresh() {
      try {
        list.value = await api(`/events/${props.event.id}/registrations?${query({ page: page.value, per_page: PER_PAGE })}`);
        if (page.value > pages.value) { page.value = pages.value; }
      } catch (error) {
        if (error instanceof ApiError && [401, 403, 404].includes(error.problem.status)) emit("denied", error);
        else props.notice.fail("registrations", error);
      }
    }
    const firstPage = () => { if (page.value !== 1) page.value = 1; else refresh(); };  // the page watcher refreshes
    watch(() => filters.status, firstPage);
    watch(page, refresh);
    function find() {
      filters.q = search.value.trim();
      firstPage();
    }

    async function act(action, row, body) {
      busy.value = true;
      props.notice.clear();
      try {
        await api(`/registrations/${row.id}/${action}`, { method: "POST", body });
        props.notice.ok("registrations", t(`admin.done.${action}`, { name: row.name }));
        return true;
      } catch (error) {
        if (action === "reject" && error instanceof ApiError && error.fields.reason) {
          reasonError.value = error.fields.reason;
          return false;
        }
        props.notice.fail(action === "reject" ? "reject" : "registrations", error);
        return false;
      } finally {
        busy.value = false;
        await refresh();
        emit("changed");
      }
    }
    // The row's buttons go once it is approved or rejected: the focus goes to the answer, not to the page's top.
    const section = ref(null);
    async function focusAnswer() {
      await nextTick();
      section.value?.querySelector("[role=status], [role=alert]")?.focus();
    }
    async function approve(row) {
      await act("approve", row);
      await focusAnswer();
    }
    async function askReason(row) {
      rejecting.value = row;
      reason.value = "";
      reasonError.value = "";
      props.notice.clear();
      await nextTick();  // the form is in the dialog when it opens, so the focus starts in its field
      dialog.value.showModal();
    }
    async function reject() {
      reasonError.value = "";
      if (await act("reject", rejecting.value, { reason: reason.value.trim() })) {
        dialog.value.close();
        await focusAnswer();
      }
    }
    function closeDialog() {
      if (props.notice.state.at === "reject") props.notice.clear();
      dialog.value.close();
    }

    onMounted(refresh);
    expose({ refresh });
    return {
      list, filters, search, page, pages, busy, rejecting, reason, reasonError, dialog, section, ticketNames, exportUrl,
      created, find, approve, askReason, reject, closeDialog, keepFocusIn, compactAnswers, STATES, t,
    };
  },
  template: `
    <section ref="section" class="card" aria-labelledby="admin-registrations">
      <h2 id="admin-registrations">{{ t("admin.registrations") }}</h2>
      <Feedback :state="notice.state" at="registrations" />
      <ul v-if="list" class="admin-counts" :aria-label="t('admin.counts')">
        <li v-for="state in STATES" :key="state" :data-state="state">
          <strong>{{ list.counts[state] }}</strong> {{ t("admin.status." + state) }}
        </li>
        <li data-state="checked_in"><strong>{{ list.checked_in }}</strong> {{ t("admin.checked_in") }}</li>
      </ul>
      <form class="filters" role="search" @submit.prevent="find">
        <label>{{ t("admin.filter_status") }}
          <select v-model="filters.status" name="status">
            <option value="">{{ t("admin.all") }}</option>
            <option v-for="state in STATES" :key="state" :value="state">{{ t("admin.status." + state) }}</option>
          </select>
        </label>
        <label>{{ t("admin.search") }}<input v-model="search" name="q" type="search" maxlength="100"></label>
        <button type="submit" class="secondary">{{ t("admin.find") }}</button>
      </form>
      <p class="admin-exports">
        {{ t("admin.export") }}：<a :href="exportUrl('csv')" download>CSV</a> · <a :href="exportUrl('xlsx')" download>XLSX</a>
      </p>
      <p v-if="list && !list.items.length" class="muted">{{ t("admin.no_registrations") }}</p>
      <div v-else-if="list" class="admin-table" tabindex="0" role="region" :aria-label="t('admin.table')">
        <table>
          <thead><tr>
            <th scope="col">{{ t("admin.col.name") }}</th>
            <th scope="col">{{ t("admin.col.email") }}</th>
            <th scope="col">{{ t("admin.col.ticket") }}</th>
            <th scope="col">{{ t("admin.col.status") }}</th>
            <th scope="col">{{ t("admin.col.position") }}</th>
            <th scope="col">{{ t("admin.col.created") }}</th>
            <th scope="col">{{ t("admin.col.answers") }}</th>
            <th scope="col">{{ t("admin.col.actions") }}</th>
          </tr></thead>
          <tbody>
            <tr v-for="row in list.items" :key="row.id" :data-registration="row.id">
              <td>{{ row.name }}</td>
              <td>{{ row.email }}</td>
              <td>{{ ticketNames[row.ticket_type] }}</td>
              <td class="wrap">
                <span class="badge" :class="{ wait: ['pending', 'waitlisted', 'offered'].includes(row.status),
                  full: ['cancelled', 'rejected'].includes(row.status) }">{{ t("admin.status." + row.status) }}</span>
                <span v-if="row.checked_in_at" class="badge">{{ t("admin.checked_in") }}</span>
                <div v-if="row.reason" class="muted">{{ row.reason }}</div>
              </td>
              <td>{{ row.waitlist_position ?? "" }}</td>
              <td>{{ created(row) }}</td>
              <td class="muted wrap">{{ compactAnswers(row.answers, questions) }}</td>
              <td class="admin-actions">
                <template v-if="row.status === 'pending'">
                  <button type="button" :disabled="busy" @click="approve(row)"
                          :aria-label="t('admin.approve_who', { name: row.name })">{{ t("admin.approve") }}</button>
                  <button type="button" class="secondary" :disabled="busy" @click="askReason(row)"
                          :aria-label="t('admin.reject_who', { name: row.name })">{{ t("admin.reject") }}</button>
                </template>
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <nav v-if="list && pages > 1" class="admin-pages" :aria-label="t('admin.pages')">
        <button type="button" class="secondary" :disabled="page <= 1" @click="page--">{{ t("admin.previous") }}</button>
        <span>{{ t("admin.page_of", { page, pages, total: list.total }) }}</span>
        <button type="button" class="secondary" :disabled="page >= pages" @click="page++">{{ t("admin.next") }}</button>
      </nav>
      <p v-else-if="list" class="muted">{{ t("admin.total", { total: list.total }) }}</p>

      <dialog ref="dialog" class="admin-dialog" aria-labelledby="admin-reject-heading" @cancel.prevent="closeDialog"
              @keydown="keepFocusIn">
        <form v-if="rejecting" @submit.prevent="reject" novalidate>
          <h2 id="admin-reject-heading">{{ t("admin.reject_heading", { name: rejecting.name }) }}</h2>
          <Feedback :state="notice.state" at="reject" />
          <label for="admin-reason">{{ t("admin.reason") }}</label>
          <textarea id="admin-reason" v-model="reason" rows="4" maxlength="500" :aria-invalid="!!reasonError"
                    :aria-describedby="reasonError ? 'admin-reason-error' : null"></textarea>
          <div v-if="reasonError" id="admin-reason-error" class="field-error">{{ reasonError }}</div>
          <p class="muted">{{ t("admin.reason_hint") }}</p>
          <button type="submit" :disabled="busy">{{ t("admin.reject_confirm") }}</button>
          <button type="button" class="secondary" @click="closeDialog">{{ t("admin.close") }}</button>
        </form>
      </dialog>
    </section>`,
};

const Mail = {
  components: { Feedback },
  props: ["event", "notice"],
  setup(props, { expose }) {
    const summary = ref(null);
    const busy = ref(false);
    async function refresh() {
      try {
        summary.value = await api(`/events/${props.event.id}/mail`);
      } catch (error) {
        props.notice.fail("mail", error);
      }
    }
    async function retry() {
      busy.value = true;
      props.notice.clear();
      try {
        const done = await api(`/events/${props.event.id}/mail/retry`, { method: "POST" });
        props.notice.ok("mail", t("admin.mail.requeued", { n: done.recipients }));
      } catch (error) {
        props.notice.fail("mail", error);
      } finally {
        busy.value = false;
        await refresh();
      }
    }
    onMounted(refresh);
    expose({ refresh });
    return { summary, busy, retry, MAIL_STATES, t };
  },
  template: `
    <section class="card" aria-labelledby="admin-mail">
      <h2 id="admin-mail">{{ t("admin.mail.heading") }}</h2>
      <Feedback :state="notice.state" at="mail" />
      <template v-if="summary">
        <ul class="admin-counts" :aria-label="t('admin.mail.counts')">
          <li v-for="state in MAIL_STATES" :key="state" :data-state="state">
            <strong>{{ summary.counts[state] ?? 0 }}</strong> {{ t("admin.mail.state." + state) }}
          </li>
        </ul>
        <p v-if="!summary.failed.length" class="muted">{{ t("admin.mail.no_failures") }}</p>
        <div v-else class="admin-table" tabindex="0" role="region" :aria-label="t('admin.mail.failures')">
          <table>
            <thead><tr>
              <th scope="col">{{ t("admin.mail.to") }}</th>
              <th scope="col">{{ t("admin.mail.attempts") }}</th>
              <th scope="col">{{ t("admin.mail.error") }}</th>
            </tr></thead>
            <tbody>
              <tr v-for="mail in summary.failed" :key="mail.id">
                <td>{{ mail.to }}</td>
                <td>{{ mail.attempts }}</td>
                <td class="wrap">
                  <div v-for="refusal in mail.refused" :key="refusal.recipient">
                    {{ t("admin.mail.refused", { code: refusal.code, message: refusal.message }) }}</div>
                  <template v-if="!mail.refused.length">{{ mail.last_code
                    ? t("admin.mail.answered", { code: mail.last_code, message: mail.last_error }) : mail.last_error }}</template>
                </td>
              </tr>
            </tbody>
          </table>
        </div>
        <button type="button" :disabled="busy || !summary.counts.failed" @click="retry">{{ t("admin.mail.retry") }}</button>
      </template>
    </section>`,
};

// A mail as its recipients will read it. Mails carry their styles in style attributes (mail clients need them),
// which the Content-Security-Policy refuses in markup, in a srcdoc frame (it inherits the policy) and even in a
// DOMParser document; so the attributes are renamed before parsing (the mail's text has its quotes escaped, so only
// attributes match) and each style is applied through CSSOM (element.style), which the policy allows. The frame
// runs no script (no allow-scripts); allow-same-origin only lets this page write the mail into it.
const MailFrame = {
  props: ["html", "title"],
  setup(props) {
    const frame = ref(null);
    function show() {
      const mail = new DOMParser().parseFromString(props.html.replace(/\sstyle="/g, ' data-style="'), "text/html");
      const shown = frame.value.contentDocument;
      shown.replaceChild(shown.adoptNode(mail.documentElement), shown.documentElement);
      for (const element of shown.querySelectorAll("[data-style]")) {
        element.style.cssText = element.dataset.style;
        element.removeAttribute("data-style");
      }
    }
    onMounted(show);
    watch(() => props.html, show);
    return { frame };
  },
  template: `<iframe ref="frame" sandbox="allow-same-origin" :title="title"></iframe>`,
};

const Message = {
  components: { Feedback, MailFrame },
  props: ["event", "notice"],
  emits: ["sent"],
  setup(props, { emit }) {
    const form = reactive({ subject: "", body: "", statuses: ["confirmed"], locale: i18n.locale === "en" ? "en" : "zh-CN" });
    const errors = ref({});
    const preview = ref(null);
    const busy = ref(false);
    watch(form, () => { preview.value = null; }, { deep: true });  // a preview is only good for what it shows
    const message = () => ({ subject: form.subject, body: form.body, statuses: form.statuses });

    async function call(path, body) {
      busy.value = true;
      errors.value = {};
      props.notice.clear();
      try {
        return await api(`/events/${props.event.id}/${path}`, { method: "POST", body });
      } catch (error) {
        if (error instanceof ApiError) errors.value = error.fields;
        if (!(error instanceof ApiError) || !Object.keys(error.fields).length) props.notice.fail("message", error);
        return null;
      } finally {
        busy.value = false;
      }
    }
    async function showPreview() {
      const shown = await call("messages/preview", { ...message(), locale: form.locale });
      if (shown) preview.value = shown;
    }
    async function send() {
      const sent = await call("messages", message());
      if (!sent) return;
      props.notice.ok("message", t("admin.message.queued", { n: sent.recipients }));
      form.subject = "";
      form.body = "";
      emit("sent");
    }
    return { form, errors, preview, busy, showPreview, send, STATES, t };
  },
  template: `
    <section class="card" aria-labelledby="admin-message">
      <h2 id="admin-message">{{ t("admin.message.heading") }}</h2>
      <Feedback :state="notice.state" at="message" />
      <form @submit.prevent="showPreview" novalidate>
        <label for="admin-subject">{{ t("admin.message.subject") }}</label>
        <input id="admin-subject" v-model="form.subject" maxlength="150" :aria-invalid="!!errors.subject"
               :aria-describedby="errors.subject ? 'admin-subject-error' : null">
        <div v-if="errors.subject" id="admin-subject-error" class="field-error">{{ errors.subject }}</div>
        <label for="admin-body">{{ t("admin.message.body") }}</label>
        <textarea id="admin-body" v-model="form.body" rows="6" :aria-invalid="!!errors.body"
                  :aria-describedby="errors.body ? 'admin-body-error' : null"></textarea>
        <div v-if="errors.body" id="admin-body-error" class="field-error">{{ errors.body }}</div>
        <fieldset class="admin-states" :aria-describedby="errors.statuses ? 'admin-statuses-error' : null">
          <legend>{{ t("admin.message.to") }}</legend>
          <label v-for="state in STATES" :key="state">
            <input type="checkbox" :value="state" v-model="form.statuses"> {{ t("admin.status." + state) }}
          </label>
        </fieldset>
        <div v-if="errors.statuses" id="admin-statuses-error" class="field-error">{{ errors.statuses }}</div>
        <label for="admin-locale">{{ t("admin.message.locale") }}</label>
        <select id="admin-locale" v-model="form.locale">
          <option value="zh-CN">中文</option>
          <option value="en">English</option>
        </select>
        <p class="muted">{{ t("admin.message.language_hint") }}</p>
        <button type="submit" :disabled="busy">{{ t("admin.message.preview") }}</button>
      </form>
      <div v-if="preview" class="admin-preview">
        <h3>{{ t("admin.message.preview_heading") }}</h3>
        <p><strong>{{ t("admin.message.subject") }}：</strong><span data-test="preview-subject">{{ preview.subject }}</span></p>
        <MailFrame :html="preview.html" :title="t('admin.message.preview_frame')" />
        <p v-if="preview.recipients" class="admin-confirm">{{ t("admin.message.confirm", { n: preview.recipients }) }}</p>
        <p v-else class="banner">{{ t("admin.message.nobody") }}</p>
        <button type="button" :disabled="busy || !preview.recipients" @click="send">
          {{ t("admin.message.send", { n: preview.recipients }) }}</button>
      </div>
    </section>`,
};

export const EventAdmin = {
  components: { Feedback, Registrations, Mail, Message, AccessRecord },
  props: ["id", "go"],
  setup(props) {
    const event = ref(null);
    const questions = ref([]);
    const denied = ref("");
    const notice = feedback();
    const registrations = ref(null);
    const mail = ref(null);
    onMounted(async () => {
      if (!me.user) return;
      try {
        [event.value, questions.value] = await Promise.all([
          api(`/events/${props.id}`), api(`/events/${props.id}/questions`),
        ]);
      } catch (error) {
        denied.value = failure(error);
      }
    });
    const onDenied = (error) => { denied.value = failure(error); };
    const refreshMail = () => mail.value?.refresh();
    const refreshAll = () => { registrations.value?.refresh(); mail.value?.refresh(); };
    return { event, questions, denied, notice, registrations, mail, onDenied, refreshMail, refreshAll, when, pick, t, me, link };
  },
  template: `
    <h1 v-if="!me.user">{{ t("console.heading") }}</h1>
    <p v-if="!me.user" class="banner" role="alert">{{ t("admin.sign_in") }}
      <a href="/login" @click.prevent="go('/login')">{{ t("nav.login") }}</a></p>
    <div v-else class="admin-page">
      <p class="muted"><a href="/console" @click.prevent="go('/console')">← {{ t("admin.back") }}</a></p>
      <p v-if="denied && !event" class="banner" role="alert">{{ denied }}</p>
      <template v-if="event">
        <div class="card admin-header">
          <h1>{{ pick(event.title) }}</h1>
          <p><span class="badge" :class="{ full: event.status === 'cancelled', wait: event.status === 'draft' }">
            {{ t("admin.event_status." + event.status) }}</span>
            <span v-if="event.requires_approval" class="badge wait">{{ t("admin.requires_approval") }}</span></p>
          <p>{{ when(event) }}<span v-if="event.venue"> · {{ event.venue }}</span></p>
          <nav class="admin-links" :aria-label="t('admin.links')">
            <a v-bind="link('/console/events/' + event.id + '/edit')">{{ t("admin.edit") }}</a>
            <a v-bind="link('/events/' + event.id)">{{ t("admin.public_page") }}</a>
            <a v-bind="link('/events/' + event.id + '/door')">{{ t("admin.door") }}</a>
            <a v-if="event.kind === 'competition'" v-bind="link('/console/events/' + event.id + '/judging')">{{ t("judging.admin") }}</a>
          </nav>
        </div>
        <p v-if="denied" class="banner" role="alert">{{ denied }}</p>
        <template v-else>
          <Registrations ref="registrations" :event="event" :questions="questions" :notice="notice"
                         @changed="refreshMail" @denied="onDenied" />
          <Mail ref="mail" :event="event" :notice="notice" />
          <Message :event="event" :notice="notice" @sent="refreshAll" />
          <section class="card" aria-labelledby="admin-access">
            <h2 id="admin-access">{{ t("access.heading") }}</h2>
            <AccessRecord :path="'/events/' + event.id + '/access-log'" />
          </section>
        </template>
      </template>
    </div>`,
};
