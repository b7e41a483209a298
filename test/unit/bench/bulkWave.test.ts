// The bulk scenario's revocation wave, read from the requests' own records: the faults it injects, the creation and
// deletion waves' ends, throttles counted from the recorded errors, and calls per AWS second from sampled totals.
import { describe, expect, it } from '@jest/globals';
import { readConfig } from '../../../bench/bulk/config.js';
import type { RequestItem, StoredEvent } from '../../../bench/bulk/inspect.js';
import { assessWave, callsPerAwsSecond, waveFaults } from '../../../bench/bulk/wave.js';
import { parseFaults } from '../../../local/emulators/faults.js';

const T0 = Date.parse('2026-12-03T12:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const ev = (seconds: number, type: string, detail?: Record<string, unknown>): StoredEvent => ({
  at: at(seconds),
  type,
  ...(detail ? { detail: JSON.stringify(detail) } : {}),
});
const grant = (
  requestId: string,
  {
    approved,
    active,
    end,
    revoked,
    extra = [],
  }: { approved: number; active?: number; end?: number; revoked?: number; extra?: StoredEvent[] },
): RequestItem => ({
  requestId,
  parameters: JSON.stringify({ PrincipalId: requestId }),
  status: revoked !== undefined ? 'REVOKED' : active !== undefined ? 'ACTIVE' : 'FAILED',
  ...(end !== undefined ? { activeUntil: at(end) } : {}),
  events: [
    ev(approved, 'decision'),
    ...(active !== undefined ? [ev(active, 'completed'), ev(active, 'active')] : []),
    ...extra,
    ...(revoked !== undefined ? [ev(revoked, 'revoked')] : []),
  ],
});

describe('waveFaults', () => {
  it('writes the conflicts and the outage as LOCAL_FAULTS the stack parses', () => {
    // Prepare
    const faults = { createConflict: 0.1, deleteConflict: 0.3, outage: { from: 195, to: 315 } };

    // Act
    const spec = waveFaults(faults);

    // Assess
    expect(spec).toBe(
      'sso-admin.CreateAccountAssignment=ConflictException:0.1,sso-admin.DeleteAccountAssignment=ConflictException:0.3,sso-admin.*=InternalServerException:1@195.000-315.000',
    );
    expect(parseFaults(spec).map((r) => [r.operation, r.window])).toEqual([
      ['CreateAccountAssignment', undefined],
      ['DeleteAccountAssignment', undefined],
      ['*', { fromSeconds: 195, toSeconds: 315 }],
    ]);
  });

  it('leaves out what is switched off', () => {
    // Prepare
    // Act
    const spec = waveFaults({ createConflict: 0, deleteConflict: 0.3 });

    // Assess
    expect(spec).toBe('sso-admin.DeleteAccountAssignment=ConflictException:0.3');
  });
});

describe('assessWave', () => {
  it('times both waves from the records and counts throttles by what recorded them', () => {
    // Prepare: time scale 0.5, so 1 wall second is 2 AWS seconds.
    const items = [
      grant('a', {
        approved: 0,
        active: 10,
        end: 40,
        revoked: 45,
        extra: [ev(5, 'provisioning_error', { error: 'ThrottlingException', message: 'Rate exceeded' })],
      }),
      grant('b', {
        approved: 1,
        active: 20,
        end: 50,
        revoked: 60,
        extra: [
          ev(6, 'provisioning_error', { error: 'ConflictException' }),
          ev(47, 'revocation_error', {
            error: 'ThrottlingException',
            message: '15 account assignment deletions are already in progress',
          }),
          ev(48, 'revocation_poll_error', { error: 'InternalServerException' }),
          ev(55, 'revoke_overdue'),
        ],
      }),
      grant('c', { approved: 2 }),
    ];

    // Act
    const wave = assessWave(items, { firstApprovalMs: T0, timeScale: 0.5 });

    // Assess
    expect(wave.activated).toBe(2);
    expect(wave.lastActiveMs).toBe(T0 + 20_000);
    expect(wave.firstEndMs).toBe(T0 + 40_000);
    expect(wave.lastRevokedMs).toBe(T0 + 60_000);
    expect(wave.grantEndsAws).toEqual([80, 100]);
    expect(wave.endToRevokedAws).toEqual([10, 20]);
    expect(wave.revokedOnce).toBe(2);
    expect(wave.overdue).toBe(1);
    expect(wave.throttles).toBe(2);
    expect(wave.internalErrors).toEqual({ firstMs: T0 + 48_000, lastMs: T0 + 48_000, count: 1 });
    expect(wave.errors).toEqual({
      create: { 'ThrottlingException (rate)': 1, ConflictException: 1 },
      poll: {},
      revoke: { 'ThrottlingException (outstanding)': 1 },
      revokePoll: { InternalServerException: 1 },
    });
  });

  it('counts a grant revoked twice apart, and says null when nothing was granted', () => {
    // Prepare
    const twice = grant('a', { approved: 0, active: 1, end: 2, revoked: 3, extra: [ev(2.5, 'revoked')] });

    // Act
    const wave = assessWave([twice], { firstApprovalMs: T0, timeScale: 1 });
    const none = assessWave([grant('b', { approved: 0 })], { firstApprovalMs: T0, timeScale: 1 });

    // Assess
    expect(wave.revokedMoreThanOnce).toBe(1);
    expect(wave.revokedOnce).toBe(0);
    expect(none).toMatchObject({ activated: 0, lastActiveMs: null, firstEndMs: null, lastRevokedMs: null });
  });
});

describe('callsPerAwsSecond', () => {
  it('divides each interval by its own measured length, in AWS seconds', () => {
    // Prepare: sampled every 100 ms wall at time scale 0.1 (one AWS second), the third sample 100 ms late.
    const series = {
      startedAtMs: 1000,
      intervalMs: 100,
      startTotal: 50,
      totals: [70, 85, 125],
      times: [1100, 1200, 1400],
    };

    // Act
    const rates = callsPerAwsSecond(series, 0.1);

    // Assess
    expect(rates.map((r) => Math.round(r * 1000) / 1000)).toEqual([20, 15, 20]);
  });
});

describe('readConfig: the wave', () => {
  it('defaults to 500 one-minute grants, FULL only, 30% delete conflicts and a 2-minute outage 75 s in', () => {
    // Prepare
    const args: string[] = [];

    // Act
    const config = readConfig(args);

    // Assess
    expect(config).toMatchObject({
      requests: 500,
      durationMinutes: 1,
      variants: ['FULL'],
      conflictRate: 0.1,
      deleteConflictRate: 0.3,
      outage: { afterApprovalSeconds: 75, seconds: 120 },
      approveAtSeconds: 80,
    });
  });

  it('takes the baseline, the outage and the approval moment from flags', () => {
    // Prepare
    const args = ['--variants', 'FULL,NONE', '--outage-seconds', '0', '--approve-at=60', '--duration-minutes', '2'];

    // Act
    const config = readConfig(args);

    // Assess
    expect(config).toMatchObject({
      variants: ['FULL', 'NONE'],
      outage: { seconds: 0 },
      approveAtSeconds: 60,
      durationMinutes: 2,
    });
  });

  it('refuses a delete conflict rate above 1, naming the option', () => {
    // Prepare
    const args = ['--delete-conflict', '1.5'];

    // Act
    const act = () => readConfig(args);

    // Assess
    expect(act).toThrow('--delete-conflict (or BENCH_BULK_DELETE_CONFLICT)');
  });
});
