// Check-in at the door, for a phone: scan (a scanner that types, or the camera where the browser can read QR
// codes), or find the person by name; a big, clear answer either way. Each attempt sends its own nonce, so a
// retried request never checks anyone in twice.
import { ref, onUnmounted } from "vue";
import { api, ApiError } from "./api.js";
import { i18n, t } from "./i18n.js";
import { me } from "./account.js";

const nonce = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).slice(0, 64);

export const DoorPage = {
  props: ["id", "go"],
  setup(props) {
    const code = ref("");
    const query = ref("");
    const found = ref([]);
    const answer = ref(null);
    const scanning = ref(false);
    const video = ref(null);
    let stream = null;

    async function send(path, body) {
      try {
        const done = await api(path, { method: "POST", body: { ...body, nonce: nonce() }, locale: i18n.locale });
        answer.value = { ok: true, text: t("door.ok", { name: done.name }) };
      } catch (error) {
        answer.value = { ok: false, text: error instanceof ApiError ? error.problem.detail : t("error.network") };
      }
      code.value = "";
      if (query.value) await search();
    }
    const byCode = () => code.value.trim() && send(`/events/${props.id}/check-in`, { qr: code.value.trim() });
    const byId = (id) => send(`/registrations/${id}/check-in`, {});
    async function search() {
      if (!query.value.trim()) { found.value = []; return; }
      found.value = await api(`/events/${props.id}/check-in/search?q=${encodeURIComponent(query.value.trim())}`,
                              { locale: i18n.locale });
    }
    async function scan() {
      if (!("BarcodeDetector" in window)) return;
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.value.srcObject = stream;
      await video.value.play();
      scanning.value = true;
      while (scanning.value) {
        const codes = await detector.detect(video.value).catch(() => []);
        if (codes.length) { code.value = codes[0].rawValue; await byCode(); await new Promise((r) => setTimeout(r, 1500)); }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    function stop() {
      scanning.value = false;
      stream?.getTracks().forEach((track) => track.stop());
    }
    onUnmounted(stop);
    const camera = "BarcodeDetector" in window && !!navigator.mediaDevices;
    return { code, query, found, answer, scanning, video, byCode, byId, search, scan, stop, camera, t, me };
  },
  template: `
    <p v-if="!me.user" class="banner">{{ t("door.sign_in") }}</p>
    <div v-else>
      <h1>{{ t("door.heading") }}</h1>
      <p v-if="answer" class="banner" :class="{ ok: answer.ok }" role="status" style="font-size:22px">{{ answer.text }}</p>
      <form class="card" @submit.prevent="byCode">
        <label for="door-code">{{ t("door.code") }}</label>
        <input id="door-code" v-model="code" autocomplete="off" autofocus>
        <button type="submit">{{ t("door.check_in") }}</button>
        <button v-if="camera && !scanning" type="button" class="secondary" @click="scan">{{ t("door.scan") }}</button>
        <button v-if="scanning" type="button" class="secondary" @click="stop">{{ t("door.stop") }}</button>
        <video v-show="scanning" ref="video" playsinline muted style="width:100%;margin-top:12px"></video>
      </form>
      <div class="card">
        <label for="door-search">{{ t("door.search") }}</label>
        <input id="door-search" v-model="query" @input="search" type="search">
        <p v-for="person in found" :key="person.id" style="display:flex;justify-content:space-between;align-items:center">
          <span>{{ person.name }} <span class="muted">{{ person.email_hint }}</span></span>
          <span v-if="person.checked_in_at" class="badge">{{ t("door.already") }}</span>
          <button v-else style="margin:0" @click="byId(person.id)">{{ t("door.check_in") }}</button>
        </p>
      </div>
    </div>`,
};
