// One catalogue per language (static/i18n/*.json); Chinese first, English on request, remembered.
import { reactive } from "./vue.js";

export const i18n = reactive({ locale: localStorage.getItem("locale") || "zh-CN", messages: {} });

export async function load(locale) {
  i18n.messages = await (await fetch(`/static/i18n/${locale}.json`)).json();
  i18n.locale = locale;
  localStorage.setItem("locale", locale);
  document.documentElement.lang = locale;
}

export function t(key, params = {}) {
  const text = i18n.messages[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function pick(text) {
  return (i18n.locale === "en" && text?.en) || text?.zh || "";
}
