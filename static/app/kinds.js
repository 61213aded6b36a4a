// The event kinds, in the server's order and named in both languages (GET /event-kinds): asked once per page load,
// shared by every page that offers or shows a kind.
import { ref } from "./vue.js";
import { api } from "./api.js";
import { pick } from "./i18n.js";

export const eventKinds = ref([]);
let asked = null;

// Resolves once the kinds are known. A failed request is not kept, so the next page to ask tries again.
export function loadEventKinds() {
  asked ??= api("/event-kinds").then(
    (kinds) => { eventKinds.value = kinds; },
    (error) => { asked = null; throw error; },
  );
  return asked;
}

// A kind's name in the page's language; its code while the names are not known.
export const kindName = (code) => pick(eventKinds.value.find((kind) => kind.code === code)?.name) || code;
