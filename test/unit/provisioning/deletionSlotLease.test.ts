// The deletion slot's lease outlasts the longest gap between two renewals: the state machine's slowest poll interval
// (WaitLongerForRevocation), the poll task's timeout, and the longest revocation retry delay. Read from the one
// definition, approval.asl.json, so that a slower poll cannot silently let the lease lapse between polls.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { DELETION_SLOT_LEASE_SECONDS } from '../../../functions/shared/assignmentDefaults.js';

interface State {
  Seconds?: number;
  TimeoutSeconds?: number;
  Retry?: Array<{ ErrorEquals: string[]; MaxDelaySeconds?: number }>;
}

const asl = JSON.parse(readFileSync(new URL('../../../statemachine/approval.asl.json', import.meta.url), 'utf8')) as {
  States: Record<string, State>;
};

describe('deletion slot lease', () => {
  it('is longer than the slowest poll interval plus the poll task and its longest retry delay', () => {
    // Prepare
    const slowestWait = asl.States.WaitLongerForRevocation?.Seconds ?? 0;
    const poll = asl.States.CheckRevocation!;
    const transientDelay = poll.Retry?.find((r) => r.ErrorEquals.includes('RevocationTransient'))?.MaxDelaySeconds ?? 0;

    // Act
    const longestGap = slowestWait + (poll.TimeoutSeconds ?? 0) + transientDelay;

    // Assess
    expect(slowestWait).toBeGreaterThanOrEqual(60);
    expect(DELETION_SLOT_LEASE_SECONDS).toBeGreaterThan(longestGap);
  });
});
