// The JSON API: problem+json answers become ApiError with the per-field messages.
import { i18n, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title);
    this.problem = problem;
    this.fields = Object.fromEntries((problem.errors || []).map((e) => [e.loc.slice(1).join("."), e.msg]));
  }
}

// What to tell the user when a request failed: the API's own words, or that the network failed.
export const failure = (error) => (error instanceof ApiError ? error.message : t("error.network"));

// The signed-in session: the cookie travels by itself; unsafe requests add its CSRF value.
export const session = { csrf: null };

// Every call to the API goes through here. Messages come back in the page's current language unless `locale` says
// otherwise; a plain object `body` goes as JSON, a Blob (an uploaded file) as it is, with its type in `headers`.
export async function api(path, { method = "GET", body, headers = {}, locale = i18n.locale } = {}) {
  const csrf = method !== "GET" && session.csrf ? { "X-CSRF-Token": session.csrf } : {};
  const json = body !== undefined && !(body instanceof Blob);
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers: { "Accept-Language": locale, ...(json ? { "Content-Type": "application/json" } : {}), ...csrf, ...headers },
    body: json ? JSON.stringify(body) : body,
    credentials: "same-origin",
  });
  if (response.status === 204) return null;
  const data = await response.json();
  if (!response.ok) throw new ApiError(data);
  return data;
}

// For requests made as the user types (searches, filters, live checks): only the newest answer counts, so a slow
// older one that arrives last cannot overwrite it. Returns a function that runs `request` and resolves to
// `{ answer }` for the newest call, or null for one that was overtaken (whether it succeeded or failed).
export function newestOnly() {
  let asked = 0;
  return async (request) => {
    const mine = ++asked;
    try {
      const answer = await request();
      return mine === asked ? { answer } : null;
    } catch (error) {
      if (mine !== asked) return null;
      throw error;
    }
  };
}
