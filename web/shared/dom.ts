// The browser's output context for API data is the DOM, not HTML text: every value goes in through append() as a
// text node, so it is never parsed as markup and needs no escaping. Only nodes made here pass through as nodes;
// anything else, an object from the API included, becomes its string. No browser module assigns innerHTML,
// outerHTML or insertAdjacentHTML, or writes data into an attribute that a browser would run (on*, href, src).

/** What `el` accepts as a child: a node, or a value shown as text; nothing for null, undefined and false. */
export type Child = Node | string | number | null | undefined | false;

/** The page's element with this id; a missing one is a bug in the page, so it throws naming the id. */
export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no element with the id "${id}"`);
  return found as T;
};

export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(
    ...children
      .filter((child): child is Node | string | number => child !== undefined && child !== null && child !== false)
      .map((child) => (child instanceof Node ? child : String(child))),
  );
  return node;
};

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A UTC time as people read it: seconds in a table, milliseconds (`precise`) where events often share a second. */
export const utcTime = (iso: unknown, precise = false): HTMLElement => {
  if (typeof iso !== 'string' || iso === '') return el('span', 'muted', 'unknown');
  const time = el('time', '', `${iso.replace('T', ' ').replace(precise ? /Z$/ : /(\.\d+)?Z$/, '')} UTC`);
  time.dateTime = iso;
  return time;
};
