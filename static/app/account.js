// Accounts: sign up, log in, and "me": my registrations and my personal calendar feed.
import { reactive, ref, nextTick, onMounted } from "./vue.js";
import { api, ApiError, session } from "./api.js";
import { i18n, load, t, pick } from "./i18n.js";
import { when } from "./format.js";
import { MyData } from "./privacy.js";
import { route } from "./router.js";
import { TwoFactor } from "./two-factor.js";

export const me = reactive({ user: null });
const TOTP_REQUIRED = "urn:quancheng:problem:totp_required";

// Who is signed in: `/session` answers an anonymous visitor with `user: null`, so no page load logs a failed request.
export async function refreshMe() {
  try {
    const { user } = await api("/session");
    session.csrf = user?.csrf_token ?? null;
    me.user = user;
  } catch {
    me.user = null;
  }
}

export async function logout() {
  try {
    await api("/auth/logout", { method: "POST" });
  } catch {
    // the session had already ended (another tab, expiry): signed out all the same
  } finally {
    session.csrf = null;
    me.user = null;
  }
}

// Where to go after signing in or up: the page named by ?next= (an invitation), else the page the person came
// from before the sign-in pages, else their own page.
function returnTo() {
  const next = route.query.get("next") || "";
  if (next.startsWith("/") && !next.startsWith("//")) return next;
  return route.cameFrom || "/me";
}

// Sign in after signing up: false when the address was taken by another account (whose password this is not).
async function signedIn(form) {
  try {
    const login = await api("/auth/login", { method: "POST", body: { email: form.email, password: form.password } });
    session.csrf = login.csrf_token;
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 401) return false;
    throw error;
  }
  await refreshMe();
  return true;
}

function accountForm(path, fields) {
  return {
    props: ["go"],
    setup(props) {
      const form = reactive(Object.fromEntries(fields.map((name) => [name, ""])));
      const errors = ref({});
      const banner = ref("");
      const mailed = ref("");
      const needsCode = ref(false);  // the account has a second factor: the code comes after the password
      const code = ref("");
      async function submit() {
        errors.value = {};
        banner.value = "";
        try {
          if (path === "/auth/signup") {
            await api(path, { method: "POST", body: { ...form, locale: i18n.locale } });
            // The answer is the same for a taken address (its owner gets a mail): signing in tells them apart.
            if (!(await signedIn(form))) { mailed.value = t("account.signup_mailed", { email: form.email }); return; }
            props.go(returnTo());
            return;
          }
          const body = { email: form.email, password: form.password, ...(needsCode.value ? { code: code.value } : {}) };
          const login = await api("/auth/login", { method: "POST", body });
          session.csrf = login.csrf_token;
          await refreshMe();
          if (me.user.locale !== i18n.locale) await load(me.user.locale);  // the account's language wins
          props.go(returnTo());
        } catch (error) {
          if (!(error instanceof ApiError)) { banner.value = t("error.network"); return; }
          if (error.problem.type === TOTP_REQUIRED) {
            needsCode.value = true;
            await nextTick();
            document.getElementById("a-code").focus();
            return;
          }
          errors.value = error.fields;
          if (!Object.keys(error.fields).length) banner.value = error.problem.detail;
        }
      }
      return { form, errors, banner, mailed, needsCode, code, submit, fields, t, path };
    },
    template: `
      <form class="card" @submit.prevent="submit" novalidate>
        <h1>{{ path === "/auth/signup" ? t("account.signup") : t("account.login") }}</h1>
        <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
        <p v-if="mailed" class="banner ok" role="status">{{ mailed }}</p>
        <div v-for="name in fields" :key="name">
          <label :for="'a-' + name">{{ name === "email" ? t("form.email") : t("account." + name) }}</label>
          <input :id="'a-' + name" v-model="form[name]" :type="name === 'password' ? 'password' : name === 'email' ? 'email' : 'text'"
                 :autocomplete="name === 'password' ? (path === '/auth/signup' ? 'new-password' : 'current-password') : name"
                 :aria-invalid="!!errors[name]" :aria-describedby="errors[name] ? 'a-' + name + '-error' : null">
          <div v-if="errors[name]" :id="'a-' + name + '-error'" class="field-error">{{ errors[name] }}</div>
        </div>
        <div v-if="needsCode">
          <label for="a-code">{{ t("totp.code_or_recovery") }}</label>
          <input id="a-code" v-model="code" autocomplete="one-time-code" aria-describedby="a-code-hint">
          <p id="a-code-hint" class="muted">{{ t("totp.login_hint") }}</p>
        </div>
        <button type="submit">{{ path === "/auth/signup" ? t("account.signup") : t("account.login") }}</button>
        <p v-if="path !== '/auth/signup'"><a href="/signup" @click.prevent="go('/signup')">{{ t("account.no_account") }}</a></p>
        <p v-if="path !== '/auth/signup'"><a href="/reset" @click.prevent="go('/reset')">{{ t("account.forgot") }}</a></p>
      </form>`,
  };
}

export const LoginPage = accountForm("/auth/login", ["email", "password"]);
export const SignupPage = accountForm("/auth/signup", ["name", "email", "password"]);

export const MePage = {
  components: { MyData, TwoFactor },
  props: ["go"],
  setup() {
    const erased = ref(false);
    function forgotten() {  // the account is gone, and with it the session
      erased.value = true;
      session.csrf = null;
      me.user = null;
    }
    const registrations = ref([]);
    const events = ref({});
    const feeds = ref([]);
    const teams = ref([]);
    const fresh = ref(null);
    const fetched = ref(false);  // until then, "none" and "create" would be claims about lists not yet fetched
    async function refresh() {
      try {
        await loadMine();
      } catch (error) {
        if (error instanceof ApiError && error.problem.status === 401) me.user = null;  // the session has ended
        else throw error;
      }
    }
    async function loadMine() {
      registrations.value = (await api("/me/registrations")).items;
      feeds.value = await api("/me/calendar-feeds");
      teams.value = await api("/me/teams");
      fetched.value = true;
      const ids = [...new Set(registrations.value.map((r) => r.event_id))];
      const shown = await Promise.all(ids.map((id) => api(`/events/${id}`)));
      events.value = Object.fromEntries(shown.map((event) => [event.id, event]));
    }
    async function create() {
      fresh.value = await api("/me/calendar-feeds", { method: "POST", body: {} });
      await refresh();
    }
    async function rotate(id) {
      fresh.value = await api(`/me/calendar-feeds/${id}/rotate`, { method: "POST" });
    }
    async function revoke(id) {
      await api(`/me/calendar-feeds/${id}`, { method: "DELETE" });
      fresh.value = null;
      await refresh();
    }
    const notice = ref("");
    async function resend() {
      await api("/me/verification", { method: "POST" });
      notice.value = t("verify.resent", { email: me.user.email });
    }
    async function everywhere() {
      await api("/auth/logout-everywhere", { method: "POST" });
      session.csrf = null;
      me.user = null;
    }
    onMounted(() => me.user && refresh());
    return {
      registrations, events, feeds, teams, fresh, fetched, notice, resend, everywhere, create, rotate, revoke, erased, forgotten,
      t, me, pick, when,
    };
  },
  template: `
    <div v-if="!me.user" class="card">
      <h1>{{ t("account.my_registrations") }}</h1>
      <p v-if="erased" class="banner ok" role="status">{{ t("privacy.deleted") }}</p>
      <p v-else class="banner" role="alert">{{ t("account.sign_in") }}
        <a href="/login" @click.prevent="go('/login')">{{ t("nav.login") }}</a></p>
    </div>
    <template v-else>
    <p v-if="notice" class="banner ok" role="status">{{ notice }}</p>
    <p v-if="!me.user.email_verified" class="banner">{{ t("verify.pending", { email: me.user.email }) }}
      <button type="button" class="secondary small" @click="resend">{{ t("verify.resend") }}</button></p>
    <div class="card">
      <h1>{{ t("account.my_registrations") }}</h1>
      <p v-if="fetched && !registrations.length" class="muted">{{ t("account.none") }}</p>
      <p v-for="r in registrations" :key="r.id">
        <a :href="'/registrations/' + r.id" @click.prevent="go('/registrations/' + r.id)">{{ events[r.event_id] ? pick(events[r.event_id].title) : "…" }}</a>
        <span class="badge">{{ t("status." + r.status) }}</span><br>
        <span v-if="events[r.event_id]" class="muted">{{ when(events[r.event_id]) }}</span>
      </p>
    </div>
    <section v-if="teams.length" class="card" aria-labelledby="my-teams-heading">
      <h2 id="my-teams-heading">{{ t("comp.my_teams") }}</h2>
      <p v-for="team in teams" :key="team.id">
        <a :href="'/events/' + team.event_id + '/competition'" @click.prevent="go('/events/' + team.event_id + '/competition')">{{ pick(team.event_title) }}</a>
        · {{ team.name }} <span class="badge">{{ t("team_status." + team.status) }}</span>
      </p>
    </section>
    <p><a href="/console/organisations" @click.prevent="go('/console/organisations')">{{ t("orgs.heading") }}</a></p>
    <p v-if="me.user.memberships.some((m) => m.role === 'judge')"><a href="/judging" @click.prevent="go('/judging')">{{ t("judging.queue") }}</a></p>
    <div class="card">
      <h2>{{ t("feed.heading") }}</h2>
      <p class="muted">{{ t("feed.explain") }}</p>
      <div v-if="fresh" data-test="feed">
        <p><a :href="fresh.webcal_url">{{ t("feed.subscribe") }}</a></p>
        <p>{{ t("feed.copy") }}<br><input readonly :value="fresh.https_url" aria-label="https"></p>
      </div>
      <p v-if="feeds.length" class="muted">{{ t("feed.active") }}: {{ feeds.length }}</p>
      <div v-for="feed in feeds" :key="feed.id">
        <button class="secondary" @click="rotate(feed.id)">{{ t("feed.rotate") }}</button>
        <button class="secondary" @click="revoke(feed.id)">{{ t("feed.revoke") }}</button>
      </div>
      <button v-if="fetched && !feeds.length" @click="create">{{ t("feed.create") }}</button>
    </div>
    <MyData path="/me" @erased="forgotten" />
    <div class="card">
      <h2>{{ t("account.security") }}</h2>
      <p class="muted">{{ t("account.everywhere_explain") }}</p>
      <button type="button" class="secondary" @click="everywhere">{{ t("account.everywhere") }}</button>
    </div>
    <TwoFactor />
    </template>`,
};

// The page an organisation's invitation mail links to: the person, signed in with the invited address, accepts.
export const InvitationPage = {
  props: ["go"],
  setup() {
    const token = route.query.get("token") || "";
    const accepted = ref(null);
    const banner = ref("");
    const busy = ref(false);
    async function accept() {
      busy.value = true;
      banner.value = "";
      try {
        accepted.value = await api("/invitations/accept", { method: "POST", body: { token } });
        await refreshMe();
      } catch (error) {
        banner.value = error instanceof ApiError ? error.problem.detail : t("error.network");
      } finally {
        busy.value = false;
      }
    }
    const signIn = `/login?next=${encodeURIComponent(`/invitations?token=${token}`)}`;
    return { token, accepted, banner, busy, accept, signIn, me, t };
  },
  template: `
    <div class="card">
      <h1>{{ t("invitation.heading") }}</h1>
      <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
      <template v-if="accepted">
        <p class="banner ok" role="status">{{ t("invitation.accepted", { role: t("console.role." + accepted.role) }) }}</p>
        <p><a :href="'/console/organisations/' + accepted.organisation_id"
              @click.prevent="go('/console/organisations/' + accepted.organisation_id)">{{ t("orgs.members_link") }}</a></p>
      </template>
      <p v-else-if="!me.user">{{ t("invitation.sign_in") }}
        <a :href="signIn" @click.prevent="go(signIn)">{{ t("nav.login") }}</a></p>
      <template v-else>
        <p>{{ t("invitation.explain", { email: me.user.email }) }}</p>
        <button type="button" :disabled="busy || !token" @click="accept">{{ t("invitation.accept") }}</button>
      </template>
    </div>`,
};

// The page a verification mail links to: the link alone proves the address, signed in or not.
export const VerifyPage = {
  props: ["go"],
  setup() {
    const state = reactive({ done: false, banner: "" });
    onMounted(async () => {
      try {
        await api("/auth/verify", { method: "POST", body: { token: route.query.get("token") || "" } });
        state.done = true;
        if (me.user) await refreshMe();
      } catch (error) {
        state.banner = error instanceof ApiError ? error.problem.detail : t("error.network");
      }
    });
    return { state, t };
  },
  template: `
    <div class="card">
      <h1>{{ t("verify.heading") }}</h1>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ t("verify.done") }}</p>
      <p v-if="state.done"><a href="/me" @click.prevent="go('/me')">{{ t("account.my_registrations") }}</a></p>
    </div>`,
};

// Forgotten password: without a token, ask for the mail (the same answer for any address); with the mailed
// token, set a new password, which signs the account out everywhere.
export const ResetPage = {
  props: ["go"],
  setup() {
    const token = route.query.get("token") || "";
    const form = reactive({ email: "", password: "" });
    const state = reactive({ errors: {}, banner: "", done: "", busy: false });
    async function submit() {
      Object.assign(state, { errors: {}, banner: "", done: "", busy: true });
      try {
        if (token) {
          await api("/auth/password-reset/confirm", { method: "POST", body: { token, password: form.password } });
          me.user = null;
          session.csrf = null;
          state.done = t("reset.done");
        } else {
          await api("/auth/password-reset", { method: "POST", body: { email: form.email } });
          state.done = t("reset.mailed", { email: form.email });
        }
      } catch (error) {
        if (!(error instanceof ApiError)) state.banner = t("error.network");
        else if (Object.keys(error.fields).length) state.errors = error.fields;
        else state.banner = error.problem.detail;
      } finally {
        state.busy = false;
      }
    }
    return { token, form, state, submit, t };
  },
  template: `
    <form class="card" @submit.prevent="submit" novalidate>
      <h1>{{ t("reset.heading") }}</h1>
      <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
      <p v-if="state.done" class="banner ok" role="status">{{ state.done }}</p>
      <template v-if="token">
        <label for="r-password">{{ t("reset.new_password") }}</label>
        <input id="r-password" v-model="form.password" type="password" autocomplete="new-password"
               :aria-invalid="!!state.errors.password" :aria-describedby="state.errors.password ? 'r-password-error' : null">
        <div v-if="state.errors.password" id="r-password-error" class="field-error">{{ state.errors.password }}</div>
        <button type="submit" :disabled="state.busy">{{ t("reset.set") }}</button>
      </template>
      <template v-else>
        <p class="muted">{{ t("reset.explain") }}</p>
        <label for="r-email">{{ t("form.email") }}</label>
        <input id="r-email" v-model="form.email" type="email" autocomplete="email"
               :aria-invalid="!!state.errors.email" :aria-describedby="state.errors.email ? 'r-email-error' : null">
        <div v-if="state.errors.email" id="r-email-error" class="field-error">{{ state.errors.email }}</div>
        <button type="submit" :disabled="state.busy">{{ t("reset.send") }}</button>
      </template>
      <p v-if="state.done && token"><a href="/login" @click.prevent="go('/login')">{{ t("nav.login") }}</a></p>
    </form>`,
};
