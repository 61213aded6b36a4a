// The address bar is the state: pages route by path (the links in mails), and go() moves without a reload.
import { reactive } from "vue";

export const route = reactive({ path: location.pathname, query: new URLSearchParams(location.search) });

function sync() {
  route.path = location.pathname;
  route.query = new URLSearchParams(location.search);
}

export function go(path) {
  history.pushState({}, "", path);
  sync();
  window.scrollTo(0, 0);
}

window.addEventListener("popstate", sync);
