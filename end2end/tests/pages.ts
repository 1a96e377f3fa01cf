// The pages each role reaches, shared by the accessibility audit and the keyboard checks.

export const publicPages = [
  '/',
  '/login',
  '/password-reset',
  '/charter',
  '/charter/history',
  '/charter/v/1',
  '/charter/diff?from=1&to=1',
  '/no-such-page',
];

export const customerPages = [
  '/account',
  '/account/consents',
  '/account/messages',
  '/account/backups',
  '/account/data',
  '/account/access-log',
  '/security',
];

export const staffPages = [
  '/staff',
  '/staff/consents',
  '/staff/consents/new',
  '/staff/consents/oral',
  '/staff/cases',
  '/staff/contacts',
  '/staff/contacts?query=C-100004&reason=ticket+T-1',
  '/staff/supervision',
  '/staff/supervision?query=C-100004',
  '/privacy/charter',
  '/privacy/data-requests',
  '/privacy/incidents',
  '/privacy/announcements',
  '/privacy/log',
  '/privacy/disclosures',
  '/privacy/webhooks',
  '/security',
];
