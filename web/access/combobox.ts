// A filter-as-you-type picker: the ARIA 1.2 combobox pattern (an editable input that controls a listbox popup, with
// aria-activedescendant), so keyboard and screen-reader users get what sighted mouse users get. Down/Up move through
// the options, Enter picks one, Escape closes the list (a second Escape clears the text), Home/End stay with the
// text. The server HTML gives the input, the listbox and their labels; this module owns their state.
import { byId, el } from '../shared/dom.js';
import { type Choice, filterChoices } from './catalogChoices.js';

/** Options drawn at once. A list cut here says how many more match, so nobody takes it for all there is. */
const SHOWN_AT_MOST = 50;

export interface ComboboxOptions {
  /** The input's id; the listbox is `<id>-listbox`, the count line `<id>-count`. */
  id: string;
  /** What the count line calls the choices ("account", "permission set"). */
  noun: string;
  onPick(choice: Choice | undefined): void;
}

export interface Combobox {
  readonly input: HTMLInputElement;
  /** Replaces what may be picked; `allowed` narrows the choices to those keys. Keeps the pick if it is still allowed. */
  setChoices(choices: readonly Choice[], allowed?: ReadonlySet<string>): void;
  /** The picked choice, if the text still shows it. */
  picked(): Choice | undefined;
  /** Picks by key (Ask again); false when no such choice is offered. */
  pick(key: string | undefined): boolean;
  clear(): void;
}

export const combobox = ({ id, noun, onPick }: ComboboxOptions): Combobox => {
  const input = byId<HTMLInputElement>(id);
  const listbox = byId<HTMLUListElement>(`${id}-listbox`);
  const count = byId<HTMLElement>(`${id}-count`);
  let all: readonly Choice[] = [];
  let allowed: ReadonlySet<string> | undefined;
  let shown: Choice[] = [];
  let active = -1;
  let current: Choice | undefined;

  const optionId = (index: number) => `${id}-option-${index}`;
  const plural = (n: number) => `${n} ${noun}${n === 1 ? '' : 's'}`;

  const setActive = (index: number) => {
    listbox.querySelector('[aria-selected="true"]')?.setAttribute('aria-selected', 'false');
    active = index;
    const option = index >= 0 ? (listbox.children[index] as HTMLElement | undefined) : undefined;
    if (option) {
      option.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const close = () => {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(-1);
  };

  const render = (open: boolean) => {
    // The picked choice's own label is not a filter: reopening shows everything that may be picked.
    const typed = current && input.value === current.label ? '' : input.value;
    const matching = filterChoices(all, typed, allowed);
    shown = matching.slice(0, SHOWN_AT_MOST);
    listbox.replaceChildren(
      ...shown.map((choice, index) => {
        const option = el('li', 'option', el('span', 'option-label', choice.label));
        if (choice.detail) option.append(el('span', 'option-detail', choice.detail));
        option.id = optionId(index);
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.dataset.key = choice.key;
        return option;
      }),
    );
    const more = matching.length - shown.length;
    count.textContent =
      matching.length === 0
        ? `No ${noun} matches “${typed.trim()}”.`
        : more > 0
          ? `Showing ${shown.length} of ${plural(matching.length)}: type more to narrow the list.`
          : `${plural(matching.length)} to choose from.`;
    if (open) {
      listbox.hidden = shown.length === 0;
      input.setAttribute('aria-expanded', String(shown.length > 0));
      setActive(-1);
    }
  };

  const choose = (choice: Choice | undefined) => {
    current = choice;
    input.value = choice ? choice.label : '';
    input.removeAttribute('aria-invalid');
    close();
    onPick(choice);
  };

  input.addEventListener('input', () => {
    if (current && input.value !== current.label) {
      current = undefined;
      onPick(undefined);
    }
    render(true);
  });
  input.addEventListener('keydown', (event) => {
    const open = !listbox.hidden;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (!open) render(true);
        setActive(Math.min(active + 1, shown.length - 1));
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (!open) render(true);
        setActive(active <= 0 ? shown.length - 1 : active - 1);
        break;
      case 'Enter':
        // Enter on an open list picks; on a closed one it submits the form as usual.
        if (open && active >= 0) {
          event.preventDefault();
          choose(shown[active]);
        } else if (open && shown.length === 1) {
          event.preventDefault();
          choose(shown[0]);
        }
        break;
      case 'Escape':
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          choose(undefined);
        }
        break;
      case 'Tab':
        // Leaving with one match left picks it, as typing "payments-prod" in full means it.
        if (open && !current && shown.length === 1) choose(shown[0]);
        else close();
        break;
    }
  });
  input.addEventListener('click', () => {
    if (listbox.hidden) render(true);
  });
  // mousedown, not click: the input must keep focus, or its blur would close the list before the click lands.
  listbox.addEventListener('mousedown', (event) => event.preventDefault());
  listbox.addEventListener('click', (event) => {
    const option = (event.target as Element).closest<HTMLElement>('[role="option"]');
    const choice = option ? shown.find((c) => c.key === option.dataset.key) : undefined;
    if (choice) choose(choice);
  });
  input.addEventListener('blur', () => {
    if (!current && shown.length === 1 && input.value.trim()) choose(shown[0]);
    else close();
  });

  return {
    input,
    setChoices(choices, narrowed) {
      all = choices;
      allowed = narrowed;
      if (current && allowed && !allowed.has(current.key)) choose(undefined);
      else render(!listbox.hidden);
    },
    picked: () => current,
    pick(key) {
      const choice = key === undefined ? undefined : all.find((c) => c.key === key && (!allowed || allowed.has(key)));
      choose(choice);
      return choice !== undefined || key === undefined;
    },
    clear: () => choose(undefined),
  };
};
