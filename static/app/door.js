// Check-in at the door, for a phone: scan (a scanner that types, or the camera: read by the browser's own
// BarcodeDetector where it has one, else by jsQR on a canvas), or find the person by name; a big, clear answer
// either way. Each attempt sends its own nonce, so a retried request never checks anyone in twice.
import { ref, onMounted, onUnmounted } from "./vue.js";
import { api, failure, newestOnly } from "./api.js";
import { t, pick } from "./i18n.js";
import { me } from "./account.js";
import { when } from "./format.js";

let loadingJsQR = null;

function jsQR() {
  loadingJsQR ||= new Promise((resolve, reject) => {
    const tag = Object.assign(document.createElement("script"), { src: "/static/vendor/jsqr/jsQR.js", onerror: reject });
    tag.onload = () => resolve(window.jsQR);
    document.head.append(tag);
  });
  return loadingJsQR;
}

// A function from a playing <video> to the text of a QR code in its current frame, or undefined.
async function qrReader() {
  if ("BarcodeDetector" in window && (await window.BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return async (video) => (await detector.detect(video).catch(() => []))[0]?.rawValue;
  }
  const decode = await jsQR();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    if (!video.videoWidth) return undefined;
    const scale = Math.min(1, 640 / video.videoWidth);  // enough pixels for a code held up to the camera
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    return decode(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data;
  };
}

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
    const event = ref(null);  // named at the top, so staff at two doors know which event they check people in to
    let stream = null;

    onMounted(async () => {
      if (!me.user) return;
      try {
        event.value = await api(`/events/${props.id}`);
      } catch (error) {
        answer.value = { ok: false, text: failure(error) };
      }
    });

    async function send(path, body) {
      try {
        const done = await api(path, { method: "POST", body: { ...body, nonce: nonce() } });
        answer.value = { ok: true, text: t("door.ok", { name: done.name }) };
      } catch (error) {
        answer.value = { ok: false, text: failure(error) };
      }
      code.value = "";
      if (query.value) await search();
    }
    const byCode = () => code.value.trim() && send(`/events/${props.id}/check-in`, { qr: code.value.trim() });
    const byId = (id) => send(`/registrations/${id}/check-in`, {});
    const newest = newestOnly();
    async function search() {
      const q = query.value.trim();
      try {
        const result = await newest(async () => (q ? api(`/events/${props.id}/check-in/search?q=${encodeURIComponent(q)}`) : []));
        if (result) found.value = result.answer;  // a slower answer to an earlier keystroke is dropped
      } catch (error) {
        answer.value = { ok: false, text: failure(error) };
      }
    }
    async function scan() {
      try {
        const read = await qrReader();
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        video.value.srcObject = stream;
        await video.value.play();
        scanning.value = true;
        let last = null;  // a code held in view is sent once, not again on every frame
        while (scanning.value) {
          const seen = await read(video.value);
          if (seen && seen !== last) {
            last = seen;
            code.value = seen;
            await byCode();
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } catch {
        stop();
        answer.value = { ok: false, text: t("door.camera_failed") };
      }
    }
    function stop() {
      scanning.value = false;
      stream?.getTracks().forEach((track) => track.stop());
    }
    onUnmounted(stop);
    const camera = !!navigator.mediaDevices?.getUserMedia;
    return { code, query, found, answer, scanning, video, event, byCode, byId, search, scan, stop, camera, t, pick, when, me };
  },
  template: `
    <h1>{{ t("door.heading") }}</h1>
    <p v-if="event" data-test="door-event"><strong>{{ pick(event.title) }}</strong><br>
      <span class="muted">{{ when(event) }} · {{ event.venue || event.online_url }}</span></p>
    <p v-if="!me.user" class="banner">{{ t("door.sign_in") }}</p>
    <div v-else>
      <p v-if="answer" class="banner door-answer" :class="{ ok: answer.ok }" role="status">{{ answer.text }}</p>
      <form class="card" @submit.prevent="byCode">
        <label for="door-code">{{ t("door.code") }}</label>
        <input id="door-code" v-model="code" autocomplete="off" autofocus>
        <button type="submit">{{ t("door.check_in") }}</button>
        <button v-if="camera && !scanning" type="button" class="secondary" @click="scan">{{ t("door.scan") }}</button>
        <button v-if="scanning" type="button" class="secondary" @click="stop">{{ t("door.stop") }}</button>
        <video v-show="scanning" ref="video" playsinline muted class="door-camera"></video>
      </form>
      <div class="card">
        <label for="door-search">{{ t("door.search") }}</label>
        <input id="door-search" v-model="query" @input="search" type="search" maxlength="100">
        <p v-for="person in found" :key="person.id" class="door-person">
          <span>{{ person.name }} <span class="muted">{{ person.email_hint }}</span></span>
          <span v-if="person.checked_in_at" class="badge">{{ t("door.already") }}</span>
          <button v-else class="flush" @click="byId(person.id)">{{ t("door.check_in") }}</button>
        </p>
      </div>
    </div>`,
};
