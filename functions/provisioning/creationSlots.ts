// The creation slots by their first name: operationSlots.ts of kind 'creation'. Kept for the callers and tests that
// name them so; new code uses createOperationSlots.
import { createOperationSlots, type OperationSlotsDeps, type SlotLeases } from './operationSlots.js';

export type CreationSlots = SlotLeases;

export const createCreationSlots = (deps: Omit<OperationSlotsDeps, 'kind'>): CreationSlots =>
  createOperationSlots({ ...deps, kind: 'creation' });
