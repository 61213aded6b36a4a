// Placeholder until this page is built.
export const EventAdmin = { template: '<p class="muted">…</p>' };
