// The filters form: what it asks the API for, read and checked before anything is sent.
import { byId } from '../shared/dom.js';

export const DEFAULT_LIMIT = 50;

const FIELDS = ['requester', 'status', 'action', 'targetId', 'approver'] as const;

/** A filter the person must correct; shown, never sent. */
export class InputError extends Error {}

export interface AppliedFilters {
  params: URLSearchParams;
  limit: number;
}

export const readFilters = (): AppliedFilters => {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = byId<HTMLInputElement | HTMLSelectElement>(`f-${name}`).value.trim();
    if (value) params.set(name, value);
  }
  for (const name of ['from', 'to']) {
    const input = byId<HTMLInputElement>(`f-${name}`);
    if (input.validity.badInput) throw new InputError(`Enter a complete date and time for "${name}", or clear it.`);
    // datetime-local is the viewer's wall-clock time; the API wants an instant, so it goes as UTC.
    if (input.value) params.set(name, new Date(input.value).toISOString());
  }
  const limitInput = byId<HTMLInputElement>('f-limit');
  const limit = limitInput.value === '' ? DEFAULT_LIMIT : Number(limitInput.value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new InputError('Page size must be a whole number from 1 to 200.');
  }
  return { params, limit };
};

/** The viewer's time zone in the hint, since the time filters are in it. */
export const showTimeZone = (): void => {
  const offset = -new Date().getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  byId('time-hint').textContent = `Your local time (UTC${sign}${hours}:${minutes}); sent to the API as UTC.`;
};
