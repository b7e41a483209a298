// The page's two message areas: `#alert` (role=alert) for what went wrong, and `#status` (role=status, visually
// hidden) for what a screen reader should hear when something finishes. Looked up on each call, so a module may
// import these before the page's elements are known to exist.
import type { ApiErrorDetail } from './api.js';
import { byId, el } from './dom.js';

export const clearError = (): void => {
  byId('alert').replaceChildren();
};

export const showError = (title: string, message?: string, details?: ApiErrorDetail[]): void => {
  const alertBox = byId('alert');
  alertBox.replaceChildren(el('p', '', el('strong', '', title)));
  if (message) alertBox.append(el('p', '', message));
  if (Array.isArray(details) && details.length > 0) {
    alertBox.append(
      el(
        'ul',
        '',
        ...details.map((detail) =>
          el('li', '', detail?.path ? `${detail.path}: ${detail.message}` : String(detail?.message)),
        ),
      ),
    );
  }
  alertBox.scrollIntoView({ block: 'nearest' });
};

export const announce = (text: string): void => {
  byId('status').textContent = text;
};
