// Organisations and their members: the directory with a form to create one, and one organisation's page where its
// managers (and admins) correct its details, invite people by email to hold roles (they accept the mailed link),
// withdraw invitations and take roles away, and where any member may give up their own role.
import { reactive, ref, computed, onMounted } from "./vue.js";
import { api, failure } from "./api.js";
import { t, pick } from "./i18n.js";
import { instant } from "./format.js";
import { me, refreshMe } from "./account.js";
import { I18nInputs, attempt } from "./console-fields.js";
import { ConfirmDialog } from "./console.js";
import { link } from "./router.js";

const KINDS = ["bureau", "organiser", "training_base", "company", "university"];
const SELF_SERVICE = ["company", "university"];  // what anyone may create (server/accounts.py)
const ROLES = ["manager", "organiser", "checker", "judge", "reporter"];

// A form's fields, their errors by API path, and its banner and status lines.
const formState = (fields) => reactive({ form: fields(), errors: {}, banner: "", done: "", busy: false, fields });

// The fields an organisation has, for creating it (with its kind) or editing it (without).
const OrganisationFields = {
  props: { state: Object, regions: Array, withKind: Boolean },
  components: { I18nInputs },
  setup() {
    const kinds = computed(() => (me.user?.is_admin ? KINDS : SELF_SERVICE));
    return { kinds, t, pick };
  },
  template: `
    <I18nInputs v-model="state.form.name" name="name" prefix="o" :label="t('orgs.name')" :errors="state.errors" required />
    <template v-if="withKind">
      <label for="o-kind">{{ t("orgs.kind") }}</label>
      <select id="o-kind" v-model="state.form.kind">
        <option v-for="kind in kinds" :key="kind" :value="kind">{{ t("orgs.kind." + kind) }}</option>
      </select>
      <div v-if="state.errors.kind" class="field-error">{{ state.errors.kind }}</div>
    </template>
    <label for="o-region">{{ t("orgs.region") }}</label>
    <select id="o-region" v-model="state.form.region" :aria-invalid="!!state.errors.region">
      <option v-for="r in regions" :key="r.code" :value="r.code">{{ pick(r.name) }}</option>
    </select>
    <div v-if="state.errors.region" class="field-error">{{ state.errors.region }}</div>
    <label for="o-uscc">{{ t("orgs.uscc") }}</label>
    <input id="o-uscc" v-model="state.form.uscc" autocapitalize="characters" :aria-invalid="!!state.errors.uscc">
    <div v-if="state.errors.uscc" class="field-error">{{ state.errors.uscc }}</div>
    <label for="o-contact">{{ t("orgs.contact_email") }}</label>
    <input id="o-contact" v-model="state.form.contact_email" type="email" :aria-invalid="!!state.errors.contact_email">
    <div class="muted">{{ t("orgs.contact_hint") }}</div>
    <div v-if="state.errors.contact_email" class="field-error">{{ state.errors.contact_email }}</div>`,
};

// What the API takes: optional text left empty is sent as null.
const body = (form) => ({ ...form, uscc: form.uscc || null, contact_email: form.contact_email || null });
const SHOWN = ["name", "kind", "region", "uscc", "contact_email"];

export const OrganisationsPage = {
  props: ["id", "go"],
  components: { OrganisationFields },
  setup(props) {
    const regions = ref([]);
    const directory = ref([]);
    const query = ref("");
    const state = formState(() => ({ name: { zh: "", en: "" }, kind: "company", region: "lixia", uscc: "", contact_email: "" }));
    async function search() {
      const q = query.value.trim() ? `&q=${encodeURIComponent(query.value.trim())}` : "";
      directory.value = (await api(`/organisations?per_page=50${q}`)).items;
    }
    onMounted(async () => {
      regions.value = await api("/regions");
      await search();
    });
    async function create() {
      const made = await attempt(state, SHOWN, () => api("/organisations", { method: "POST", body: body(state.form) }));
      if (!made) return;
      await refreshMe();  // a company's creator now manages it
      props.go(`/console/organisations/${made.id}`);
    }
    const mine = computed(() => new Set((me.user?.memberships || []).map((m) => m.organisation_id)));
    return { regions, directory, query, search, state, create, mine, me, t, pick, link };
  },
  template: `
    <p v-if="!me.user" class="banner" role="alert">{{ t("console.sign_in") }}</p>
    <div v-else>
      <h1>{{ t("orgs.heading") }}</h1>
      <section class="card">
        <h2>{{ t("orgs.directory") }}</h2>
        <form class="inline" role="search" @submit.prevent="search">
          <label for="o-search">{{ t("orgs.search") }}</label>
          <input id="o-search" v-model="query" type="search">
          <button type="submit" class="secondary">{{ t("orgs.find") }}</button>
        </form>
        <p v-if="!directory.length" class="muted">{{ t("orgs.none") }}</p>
        <ul class="plain">
          <li v-for="o in directory" :key="o.id">
            <a v-if="me.user.is_admin || mine.has(o.id)" v-bind="link('/console/organisations/' + o.id)">{{ pick(o.name) }}</a>
            <span v-else>{{ pick(o.name) }}</span>
            <span class="muted"> · {{ t("orgs.kind." + o.kind) }}</span>
          </li>
        </ul>
      </section>
      <form class="card" @submit.prevent="create" novalidate>
        <h2>{{ t("orgs.create") }}</h2>
        <p class="muted">{{ me.user.is_admin ? t("orgs.create_admin") : t("orgs.create_self") }}</p>
        <p v-if="state.banner" class="banner" role="alert">{{ state.banner }}</p>
        <OrganisationFields :state="state" :regions="regions" with-kind />
        <button type="submit" :disabled="state.busy">{{ t("orgs.create") }}</button>
      </form>
    </div>`,
};

export const OrganisationPage = {
  props: ["id", "go"],
  components: { OrganisationFields, ConfirmDialog },
  setup(props) {
    const organisation = ref(null);
    const regions = ref([]);
    const members = ref([]);
    const failed = ref("");
    const removing = ref(null);
    const invitations = ref([]);
    const details = formState(() => ({ name: { zh: "", en: "" }, region: "", uscc: "", contact_email: "" }));
    const inviting = formState(() => ({ email: "", role: "organiser" }));
    const path = `/organisations/${props.id}`;
    const manages = computed(() => !!me.user && (me.user.is_admin || me.user.memberships.some(
      (m) => m.organisation_id === Number(props.id) && m.role === "manager")));
    function show(found) {
      organisation.value = found;
      details.form = { name: { ...found.name }, region: found.region, uscc: found.uscc || "", contact_email: found.contact_email };
    }
    async function refreshMembers() {
      members.value = await api(`${path}/members`);
      invitations.value = manages.value ? await api(`${path}/invitations`) : [];
    }
    // After a change of roles: mine may have changed too (what this page and the nav offer), and the list may no
    // longer be mine to read.
    async function afterChange(member) {
      if (member.email === me.user?.email) await refreshMe();
      try {
        await refreshMembers();
      } catch {
        members.value = [];
      }
    }
    onMounted(async () => {
      try {
        [regions.value] = await Promise.all([api("/regions"), refreshMembers()]);
        show(await api(path));
      } catch (error) {
        failed.value = failure(error);
      }
    });
    async function save() {
      const saved = await attempt(details, SHOWN, () => api(path, { method: "PATCH", body: body(details.form) }));
      if (saved) {
        show(saved);
        details.done = t("console.saved");
      }
    }
    async function invite() {
      const sent = await attempt(inviting, ["email", "role"], () => api(`${path}/invitations`, { method: "POST", body: inviting.form }));
      if (sent) {
        inviting.form = inviting.fields();
        inviting.done = t("orgs.invitation_sent", { email: sent.email, role: t("console.role." + sent.role) });
        await refreshMembers();
      }
    }
    async function withdraw(invitation) {
      const done = await attempt(inviting, [], () => api(`${path}/invitations/${invitation.id}`, { method: "DELETE" }));
      if (done) inviting.done = t("orgs.invitation_withdrawn", { email: invitation.email });
      await refreshMembers();
    }
    // Mine is given up through /me/memberships (allowed to any member), another's taken away by a manager.
    async function remove() {
      const member = removing.value;
      removing.value = null;
      const mine = member.email === me.user?.email;
      const target = mine ? `/me/memberships/${member.id}` : `${path}/members/${member.id}`;
      const removed = await attempt(inviting, [], () => api(target, { method: "DELETE" }));
      if (removed) {
        inviting.done = t(mine ? "orgs.left" : "orgs.member_removed", { name: member.name, role: t("console.role." + member.role) });
      }
      await afterChange(member);
    }
    return {
      organisation, regions, members, invitations, failed, removing, details, inviting, manages, save, invite, withdraw,
      remove, me, ROLES, t, pick, instant,
    };
  },
  template: `
    <p v-if="failed" class="banner" role="alert">{{ failed }}</p>
    <div v-else-if="organisation">
      <h1>{{ pick(organisation.name) }}</h1>
      <p class="muted">{{ t("orgs.kind." + organisation.kind) }}</p>
      <form v-if="manages" class="card" @submit.prevent="save" novalidate>
        <h2>{{ t("orgs.details") }}</h2>
        <p v-if="details.banner" class="banner" role="alert">{{ details.banner }}</p>
        <p v-if="details.done" class="banner ok" role="status">{{ details.done }}</p>
        <OrganisationFields :state="details" :regions="regions" />
        <button type="submit" :disabled="details.busy">{{ t("console.save") }}</button>
      </form>
      <section class="card">
        <h2>{{ t("orgs.members") }}</h2>
        <p v-if="inviting.banner" class="banner" role="alert">{{ inviting.banner }}</p>
        <p v-if="inviting.done" class="banner ok" role="status">{{ inviting.done }}</p>
        <ul class="plain">
          <li v-for="m in members" :key="m.id" :data-member="m.email">
            <strong>{{ m.name }}</strong> <span class="muted">{{ m.email }}</span>
            <span class="badge">{{ t("console.role." + m.role) }}</span>
            <button v-if="m.email === me.user?.email" type="button" class="secondary small" @click="removing = m"
                    :aria-label="t('orgs.leave_role', { role: t('console.role.' + m.role) })">{{ t("orgs.leave") }}</button>
            <button v-else-if="manages" type="button" class="secondary small" @click="removing = m"
                    :aria-label="t('orgs.remove_member', { name: m.name, role: t('console.role.' + m.role) })">{{ t("console.remove") }}</button>
          </li>
        </ul>
        <template v-if="invitations.length">
          <h3>{{ t("orgs.invitations") }}</h3>
          <ul class="plain">
            <li v-for="i in invitations" :key="i.id" :data-invitation="i.email">
              {{ i.email }} <span class="badge">{{ t("console.role." + i.role) }}</span>
              <span class="muted">{{ t("orgs.invitation_until", { until: instant(i.expires_at) }) }}</span>
              <button type="button" class="secondary small" @click="withdraw(i)"
                      :aria-label="t('orgs.withdraw_invitation', { email: i.email })">{{ t("orgs.withdraw") }}</button>
            </li>
          </ul>
        </template>
        <form v-if="manages" @submit.prevent="invite" novalidate>
          <h3>{{ t("orgs.invite_member") }}</h3>
          <p class="muted">{{ t("orgs.invite_hint") }}</p>
          <label for="m-email">{{ t("orgs.member_email") }}</label>
          <input id="m-email" v-model="inviting.form.email" type="email" :aria-invalid="!!inviting.errors.email"
                 :aria-describedby="inviting.errors.email ? 'm-email-error' : null">
          <div v-if="inviting.errors.email" id="m-email-error" class="field-error">{{ inviting.errors.email }}</div>
          <label for="m-role">{{ t("orgs.member_role") }}</label>
          <select id="m-role" v-model="inviting.form.role">
            <option v-for="role in ROLES" :key="role" :value="role">{{ t("console.role." + role) }}</option>
          </select>
          <button type="submit" :disabled="inviting.busy">{{ t("orgs.invite_member") }}</button>
        </form>
      </section>
      <ConfirmDialog v-if="removing && removing.email === me.user?.email" :title="t('orgs.confirm_leave_title')"
                     :message="t('orgs.confirm_remove_message', { role: t('console.role.' + removing.role) })"
                     :confirm-label="t('orgs.leave')" @confirm="remove" @dismiss="removing = null" />
      <ConfirmDialog v-else-if="removing" :title="t('orgs.confirm_remove_title', { name: removing.name })"
                     :message="t('orgs.confirm_remove_message', { role: t('console.role.' + removing.role) })"
                     :confirm-label="t('orgs.confirm_remove')" @confirm="remove" @dismiss="removing = null" />
    </div>`,
};
