// The second factor on "me" (admins, organisers and managers): turn on with an authenticator app (scan the QR
// code or type the secret, confirm with a first code, keep the ten recovery codes shown once), or turn off with
// the password and a code.
import { reactive, ref, computed, nextTick } from "./vue.js";
import { api, ApiError } from "./api.js";
import { t } from "./i18n.js";
import { me, refreshMe } from "./account.js";

const ROLES = ["manager", "organiser"];

export const TwoFactor = {
  setup() {
    const allowed = computed(() => me.user.is_admin || me.user.memberships.some((m) => ROLES.includes(m.role)));
    const enrolment = ref(null);
    const recovery = ref([]);
    const form = reactive({ code: "", password: "" });
    const errors = ref({});
    const banner = ref("");
    const codeInput = ref(null);

    // The answer ({} for an empty one), or null when it failed (its messages are then shown).
    async function call(path, body) {
      errors.value = {};
      banner.value = "";
      try {
        return (await api(path, { method: "POST", body })) ?? {};
      } catch (error) {
        if (!(error instanceof ApiError)) { banner.value = t("error.network"); return null; }
        errors.value = error.fields;
        if (!Object.keys(error.fields).length) banner.value = error.problem.detail;
        return null;
      }
    }
    async function start() {
      recovery.value = [];
      enrolment.value = await call("/me/totp");
      await nextTick();
      codeInput.value?.focus();
    }
    async function confirm() {
      const answer = await call("/me/totp/confirm", { code: form.code });
      if (!answer) return;
      recovery.value = answer.recovery_codes;
      enrolment.value = null;
      form.code = "";
      await refreshMe();
    }
    async function disable() {
      if (!(await call("/me/totp/disable", { password: form.password, code: form.code }))) return;
      form.password = "";
      form.code = "";
      await refreshMe();
    }
    return { allowed, enrolment, recovery, form, errors, banner, codeInput, start, confirm, disable, me, t };
  },
  template: `
    <section v-if="allowed" class="card" aria-labelledby="totp-heading" data-test="totp">
      <h2 id="totp-heading">{{ t("totp.heading") }}</h2>
      <p class="muted">{{ t("totp.explain") }}</p>
      <p v-if="banner" class="banner" role="alert">{{ banner }}</p>
      <div v-if="recovery.length" class="banner ok" role="status">
        <p>{{ t("totp.on_now") }}</p>
        <p>{{ t("totp.recovery_explain") }}</p>
        <ol class="recovery-codes" data-test="recovery-codes"><li v-for="code in recovery" :key="code"><code>{{ code }}</code></li></ol>
      </div>
      <form v-if="me.user.second_factor" @submit.prevent="disable" novalidate>
        <p>{{ t("totp.is_on") }}</p>
        <label for="totp-password">{{ t("account.password") }}</label>
        <input id="totp-password" v-model="form.password" type="password" autocomplete="current-password"
               :aria-invalid="!!errors.password" :aria-describedby="errors.password ? 'totp-password-error' : null">
        <div v-if="errors.password" id="totp-password-error" class="field-error">{{ errors.password }}</div>
        <label for="totp-off-code">{{ t("totp.code_or_recovery") }}</label>
        <input id="totp-off-code" v-model="form.code" autocomplete="one-time-code"
               :aria-invalid="!!errors.code" :aria-describedby="errors.code ? 'totp-off-code-error' : null">
        <div v-if="errors.code" id="totp-off-code-error" class="field-error">{{ errors.code }}</div>
        <button type="submit" class="secondary">{{ t("totp.turn_off") }}</button>
      </form>
      <form v-else-if="enrolment" @submit.prevent="confirm" novalidate>
        <p>{{ t("totp.scan") }}</p>
        <img :src="enrolment.qr_svg" :alt="t('totp.qr')" width="200" height="200" class="totp-qr">
        <p>{{ t("totp.secret") }} <code class="qr-payload" data-test="totp-secret">{{ enrolment.secret }}</code></p>
        <label for="totp-code">{{ t("totp.code") }}</label>
        <input id="totp-code" ref="codeInput" v-model="form.code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
               :aria-invalid="!!errors.code" :aria-describedby="errors.code ? 'totp-code-error' : null">
        <div v-if="errors.code" id="totp-code-error" class="field-error">{{ errors.code }}</div>
        <button type="submit">{{ t("totp.confirm") }}</button>
      </form>
      <button v-else type="button" @click="start">{{ t("totp.turn_on") }}</button>
    </section>`,
};
