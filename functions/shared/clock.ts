import { randomUUID } from 'node:crypto';

/** Time and id sources, injected so domain code is deterministic under test. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type IdGenerator = () => string;

export const randomId: IdGenerator = () => randomUUID();
