// The address bar is the state: pages route by path (the links in mails), and go() moves without a reload.
import { reactive } from "./vue.js";

// `cameFrom`: the last page before the sign-in pages, where signing in or up takes the person back to.
export const route = reactive({ path: location.pathname, query: new URLSearchParams(location.search), cameFrom: null });
const ACCOUNT_PAGES = ["/login", "/signup"];

function sync() {
  route.path = location.pathname;
  route.query = new URLSearchParams(location.search);
}

export function go(path) {
  if (!ACCOUNT_PAGES.includes(location.pathname)) route.cameFrom = location.pathname + location.search;
  history.pushState({}, "", path);
  sync();
  window.scrollTo(0, 0);
}

window.addEventListener("popstate", sync);

// An in-app link's attributes: a real href (it opens in a new tab, it can be copied) and a click that moves
// without a reload. Use as `<a v-bind="link(path)">`.
export const link = (path) => ({ href: path, onClick: (event) => { event.preventDefault(); go(path); } });
