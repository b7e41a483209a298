// What the server knows and the page's script needs (an action registry's facts, say), handed over in the page:
// functions/pages/layout.ts writes it, entity-escaped, into the `data-json` attribute of `<template id="page-data">`.
// An attribute rather than a `<script type="application/json">`: the page keeps exactly one script element, the
// nonce'd one, and no value can end an attribute the escaping has closed.
import { byId } from './dom.js';

/** The page's data as the server wrote it. The type is the page's contract with its server side, not checked. */
export const readPageData = <T>(): T => {
  const json = byId('page-data').dataset.json;
  if (json === undefined) throw new Error('The page-data element has no data-json attribute');
  return JSON.parse(json) as T;
};
