// Placeholder until this page is built.
export const ConsoleHome = { template: '<p class="muted">…</p>' };
export const EventEditor = { template: '<p class="muted">…</p>' };
