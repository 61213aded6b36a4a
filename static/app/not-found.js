// The one "not found" view: unknown page paths and things that are not (or not yet) public, in the app's frame.
import { t } from "./i18n.js";
import { link } from "./router.js";

export const NotFound = {
  setup() {
    return { t, link };
  },
  template: `
    <div class="card" data-test="not-found">
      <h1>{{ t("not_found.heading") }}</h1>
      <p>{{ t("not_found.body") }}</p>
      <a v-bind="link('/')">{{ t("not_found.home") }}</a>
    </div>`,
};
