// The CSV download: the same filters as the table, every page, fetched with the token (a plain link could not send
// it) and handed to the browser as a file.
import { callApi } from '../shared/api.js';
import { byId, el, plural } from '../shared/dom.js';
import { announce, clearError, showError } from '../shared/messages.js';
import type { AppliedFilters } from './filters.js';

/** Data rows in a CSV text: newlines outside quotes, less the header. */
export const countCsvRows = (text: string): number => {
  let rows = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) rows += 1;
  }
  if (text.length > 0 && !text.endsWith('\n')) rows += 1;
  return Math.max(0, rows - 1);
};

export const wireCsvDownload = (options: { applied(): AppliedFilters; fail(error: unknown): void }): void => {
  const button = byId<HTMLButtonElement>('download-csv');
  button.addEventListener('click', async () => {
    clearError();
    button.disabled = true;
    announce('Preparing the CSV…');
    try {
      const params = new URLSearchParams(options.applied().params);
      const response = await callApi(`requests?${params}`, { accept: 'text/csv' });
      const text = await response.text();
      const truncated = response.headers.get('x-next-cursor') !== null;
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const link = el('a', '', 'download');
      link.href = url;
      link.download = 'access-requests.csv';
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      // Revoked later: some browsers read the blob after click() returns.
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      announce(`Downloaded access-requests.csv with ${plural(countCsvRows(text), 'row')}.`);
      if (truncated) {
        showError(
          'The CSV is incomplete',
          'The export stopped at its size or time limit. Narrow the filters (for example by time) and download again.',
        );
      }
    } catch (error) {
      announce('');
      options.fail(error);
    } finally {
      button.disabled = false;
    }
  });
};
