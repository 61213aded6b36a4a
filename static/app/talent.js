// Placeholder until this page is built.
export const TalentPage = { template: '<p class="muted">…</p>' };
