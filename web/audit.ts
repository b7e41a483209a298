// The audit page's browser code (GET /audit, functions/audit/page.ts): sign-in (shared), filters, the results table
// with paging, timelines and the CSV download. Bundled by scripts/build-web.ts into the page's one nonce'd script.
import { wireCsvDownload } from './audit/csv.js';
import { showTimeZone } from './audit/filters.js';
import { resultsTable } from './audit/results.js';
import { timelineSection } from './audit/timeline.js';
import type { AuditPageData } from './audit/view.js';
import { showFailure } from './shared/api.js';
import { byId } from './shared/dom.js';
import { readPageData } from './shared/pageData.js';
import { type Session, startSession } from './shared/session.js';

const TITLES: Readonly<Record<number, string>> = { 400: 'Check the filters' };

const { targetParameters } = readPageData<AuditPageData>();

// Set once the session has started; a failure can only arrive after that, from a call the session started.
let session: Session | undefined;
const fail = (error: unknown): void =>
  showFailure(error, { titles: TITLES, signOut: (message) => session?.signOut(message) });

const timeline = timelineSection({ targetParameters, fail });
const results = resultsTable({
  targetParameters,
  fail,
  openTimeline: (requestId, from) => void timeline.open(requestId, from),
});

byId('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  void results.applyFilters();
});
byId('filters').addEventListener('reset', () => {
  // After the browser has cleared the fields.
  setTimeout(() => void results.applyFilters(), 0);
});
byId('next-page').addEventListener('click', () => results.nextPage());
byId('previous-page').addEventListener('click', () => results.previousPage());
wireCsvDownload({ applied: results.applied, fail });
showTimeZone();

session = startSession({
  onSignedIn: (_token, _identity, how) => {
    byId('audit').hidden = false;
    if (how === 'signed-in') byId('filters-heading').focus();
    void results.applyFilters({ ownIfRefused: true });
  },
  onSignedOut: () => {
    results.reset();
    timeline.close(false);
    byId('audit').hidden = true;
  },
});
