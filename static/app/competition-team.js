// A team as its members manage it on the competition page: its state (waiting for the organiser's approval, active,
// and why a team was rejected), the members, and for the leader the invitations by email, the pending ones,
// handing the lead over and withdrawing.
import { ref, computed, nextTick } from "./vue.js";
import { api, ApiError, failure } from "./api.js";
import { t } from "./i18n.js";
import { me } from "./account.js";
import { at } from "./format.js";

export const TeamPanel = {
  props: ["team", "track", "event"],
  emits: ["changed"],
  setup(props, { emit }) {
    const email = ref("");
    const errors = ref({});
    const banner = ref("");
    const successor = ref(null);
    const busy = ref(false);
    const leads = computed(() => me.user && props.team.leader_id === me.user.id);
    const others = computed(() => props.team.members.filter((member) => member.id !== props.team.leader_id));
    // One request at a time: its refusal in the banner (or under the field it names), its success told by the page.
    async function act(request, done, fieldId = "team-banner") {
      busy.value = true;
      errors.value = {};
      banner.value = "";
      try {
        await request();
        emit("changed", done);
        return true;
      } catch (error) {
        errors.value = error instanceof ApiError ? error.fields : {};
        if (!Object.keys(errors.value).length) banner.value = failure(error);
        await nextTick();
        document.getElementById(banner.value ? "team-banner" : fieldId)?.focus();
        return false;
      } finally {
        busy.value = false;
      }
    }
    async function invite() {
      const body = { email: email.value };
      if (await act(() => api(`/teams/${props.team.id}/invites`, { method: "POST", body }), t("comp.invited", body), "team-email")) {
        email.value = "";
      }
    }
    const handOver = () => act(() => api(`/teams/${props.team.id}/leader`, { method: "POST", body: { user_id: successor.value } }),
      t("comp.handed_over"), "team-successor");
    function withdraw() {
      if (confirm(t("comp.confirm_withdraw"))) act(() => api(`/teams/${props.team.id}/withdraw`, { method: "POST" }), t("comp.withdrawn"));
    }
    const described = (path, id) => (errors.value[path] ? `${id}-error` : null);
    return { email, errors, banner, successor, busy, leads, others, invite, handOver, withdraw, described, at, t };
  },
  template: `
    <section class="card" aria-labelledby="team-heading" data-test="team">
      <h2 id="team-heading">{{ t("comp.my_team") }}：{{ team.name }}</h2>
      <p v-if="banner" id="team-banner" tabindex="-1" class="banner" role="alert">{{ banner }}</p>
      <p><strong>{{ t("comp.track") }}：</strong>{{ track }}
        <span class="badge" :class="{ wait: team.status === 'pending', full: team.status === 'rejected' }" data-test="team-status">{{ t("team_status." + team.status) }}</span></p>
      <p v-if="team.status === 'pending'" class="muted">{{ t("comp.awaiting_approval") }}</p>
      <p v-if="team.reason"><strong>{{ t("manage.reason") }}：</strong>{{ team.reason }}</p>
      <h3>{{ t("comp.members") }}</h3>
      <ul data-test="members">
        <li v-for="member in team.members" :key="member.id">{{ member.name }}<span v-if="member.id === team.leader_id" class="muted">（{{ t("comp.leader") }}）</span></li>
      </ul>
      <template v-if="leads">
        <form @submit.prevent="invite" novalidate>
          <label for="team-email">{{ t("comp.invite_email") }}</label>
          <input id="team-email" v-model.trim="email" type="email" autocomplete="off" :aria-invalid="!!errors.email"
                 :aria-describedby="described('email', 'team-email')">
          <div v-if="errors.email" id="team-email-error" class="field-error">{{ errors.email }}</div>
          <button type="submit" :disabled="busy">{{ t("comp.invite") }}</button>
        </form>
        <h3>{{ t("comp.pending_invites") }}</h3>
        <p v-if="!team.invites.length" class="muted">{{ t("comp.no_pending") }}</p>
        <ul v-else data-test="invites">
          <li v-for="pending in team.invites" :key="pending.id">{{ pending.email }}
            <span class="muted">{{ t("comp.invite_expires", { at: at(pending.expires_at, event) }) }}</span></li>
        </ul>
        <form v-if="others.length" @submit.prevent="handOver" novalidate>
          <label for="team-successor">{{ t("comp.hand_over_to") }}</label>
          <select id="team-successor" v-model="successor" :aria-invalid="!!errors.user_id" :aria-describedby="described('user_id', 'team-successor')">
            <option :value="null" disabled>{{ t("form.choose") }}</option>
            <option v-for="member in others" :key="member.id" :value="member.id">{{ member.name }}</option>
          </select>
          <div v-if="errors.user_id" id="team-successor-error" class="field-error">{{ errors.user_id }}</div>
          <button type="submit" class="secondary" :disabled="busy || !successor">{{ t("comp.hand_over") }}</button>
        </form>
        <button type="button" class="secondary" :disabled="busy" @click="withdraw">{{ t("comp.withdraw") }}</button>
      </template>
    </section>`,
};
