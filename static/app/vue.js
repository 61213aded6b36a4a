// The one place that names the vendored Vue build: pages import Vue from here (an import map would be an inline
// script, which the Content-Security-Policy refuses).
export * from "/static/vendor/vue/vue.esm-browser.prod.js";
