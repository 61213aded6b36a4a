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

// A file sent as the raw body of a PUT (the API streams it to storage), with `onProgress(fraction sent)`: fetch
// reports no upload progress, XMLHttpRequest does. Answers and refusals as from api().
export function upload(path, file, onProgress, { locale = i18n.locale } = {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", `/api/v1${path}`);
    request.setRequestHeader("Accept-Language", locale);
    request.setRequestHeader("Content-Type", "application/octet-stream");  // the server judges the kind by name and content
    if (session.csrf) request.setRequestHeader("X-CSRF-Token", session.csrf);
    request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
    request.onload = () => {
      let data;
      try {
        data = JSON.parse(request.responseText);
      } catch {
        reject(new TypeError(`HTTP ${request.status}`));
        return;
      }
      if (request.status < 300) resolve(data);
      else reject(new ApiError(data));
    };
    request.onerror = () => reject(new TypeError("network"));
    request.send(file);
  });
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
