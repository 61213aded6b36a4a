// ESLint for the web UI: ES modules run by the browser as they are (no build step). The vendored libraries under
// static/vendor are someone else's code and are not linted. Run: npm ci && npx eslint static/app
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/", "tests/e2e/vendor/", "node_modules/"] },
  js.configs.recommended,
  {
    files: ["static/**/*.js"],
    languageOptions: { ecmaVersion: "latest", sourceType: "module", globals: globals.browser },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
