// Errors shown next to the field they are about. The API names the field of each problem (`details[].path`); the
// form maps those paths to its inputs. A field in error gets aria-invalid and its message joins its description, so
// a screen reader reads the message when the field is focused. A path no field owns goes to the page's alert.
import { byId } from '../shared/dom.js';

export interface FieldProblem {
  path: string;
  message: string;
}

export interface FieldErrors {
  /** Shows each problem at its field; returns the problems no field owns. Focuses the first field in error. */
  show(problems: readonly FieldProblem[]): FieldProblem[];
  /** One field's own message (a check made in the browser, before asking the API). */
  set(field: string, message: string): void;
  clear(field?: string): void;
  /** Focuses the first field in error, in the form's order; false when none is. */
  focusFirst(): boolean;
}

/**
 * `fields` maps a field id (the input's id; its message element is `<id>-error`) to the API paths it answers for,
 * in the order the fields appear on the page.
 */
export const fieldErrors = (fields: Record<string, readonly string[]>): FieldErrors => {
  const ids = Object.keys(fields);
  const fieldOf = (path: string): string | undefined =>
    ids.find((id) => fields[id]?.some((owned) => path === owned || path.startsWith(`${owned}.`)));

  const describedBy = (input: HTMLElement, errorId: string, withError: boolean) => {
    const rest = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((t) => t && t !== errorId);
    // The message first: it is what the person needs to hear before the standing hint.
    const tokens = withError ? [errorId, ...rest] : rest;
    if (tokens.length > 0) input.setAttribute('aria-describedby', tokens.join(' '));
    else input.removeAttribute('aria-describedby');
  };

  const set = (field: string, message: string) => {
    const input = byId<HTMLElement>(field);
    const box = byId<HTMLElement>(`${field}-error`);
    const previous = box.textContent ? `${box.textContent} ` : '';
    box.textContent = `${previous}${message}`;
    box.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    describedBy(input, box.id, true);
  };

  const clear = (field?: string) => {
    for (const id of field ? [field] : ids) {
      const input = byId<HTMLElement>(id);
      const box = byId<HTMLElement>(`${id}-error`);
      box.textContent = '';
      box.hidden = true;
      input.removeAttribute('aria-invalid');
      describedBy(input, box.id, false);
    }
  };

  const focusFirst = () => {
    const first = ids.find((id) => byId<HTMLElement>(id).getAttribute('aria-invalid') === 'true');
    if (first) byId<HTMLElement>(first).focus();
    return first !== undefined;
  };

  return {
    show(problems) {
      const unowned: FieldProblem[] = [];
      for (const problem of problems) {
        const field = fieldOf(problem.path);
        if (field) set(field, sentence(problem.message));
        else unowned.push(problem);
      }
      focusFirst();
      return unowned;
    },
    set,
    clear,
    focusFirst,
  };
};

/** The API's messages are phrases ("must be at most 480 minutes …"); next to a field they read as a sentence. */
const sentence = (message: string): string => {
  const trimmed = message.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};
