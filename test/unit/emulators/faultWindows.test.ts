// LOCAL_FAULTS time windows (`@from-to`, AWS seconds since the stack started) and the `*` operation, as the bulk
// benchmark's two-minute Identity Center outage uses them: parsed, refused with the bad window named, applied only
// inside the window, and scaled by LOCAL_TIME_SCALE like every other duration of the stack.
import { describe, expect, it } from '@jest/globals';
import { FaultInjector, parseFaults } from '../../../local/emulators/faults.js';
import { AwsServiceError } from '../../../local/emulators/types.js';

const caught = (action: () => void): unknown => {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
};

/** A hand-set wall clock in milliseconds, so a test says exactly where in the window a call falls. */
const manualClock = (startMs: number) => {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    at: (ms: number) => {
      nowMs = ms;
    },
  };
};

const STARTED_AT_MS = 1_700_000_000_000;
const always = () => 0;

describe('parseFaults: windows and *', () => {
  it('reads a windowed entry for every operation of a service', () => {
    // Prepare
    const spec = 'sso-admin.*=InternalServerException:1@90-210';

    // Act
    const rules = parseFaults(spec);

    // Assess
    expect(rules).toEqual([
      {
        service: 'sso-admin',
        operation: '*',
        errorName: 'InternalServerException',
        probability: 1,
        window: { fromSeconds: 90, toSeconds: 210 },
      },
    ]);
  });

  it('reads fractional bounds, and windowed and unwindowed entries side by side', () => {
    // Prepare
    const spec =
      'sso-admin.DeleteAccountAssignment=ConflictException:0.3,sso-admin.DeleteAccountAssignment=ConflictException:1@0-1260, sso-admin.*=ThrottlingException:0.5@1.5-2.25';

    // Act
    const rules = parseFaults(spec);

    // Assess
    expect(rules.map((r) => r.window)).toEqual([
      undefined,
      { fromSeconds: 0, toSeconds: 1260 },
      { fromSeconds: 1.5, toSeconds: 2.25 },
    ]);
    expect(rules.map((r) => r.probability)).toEqual([0.3, 1, 0.5]);
  });

  it.each([
    ['sso-admin.*=InternalServerException:1@210-90', '@210-90'],
    ['sso-admin.*=InternalServerException:1@90-90', '@90-90'],
    ['sso-admin.*=InternalServerException:1@90', '@90'],
    ['sso-admin.*=InternalServerException:1@-5-10', '@-5-10'],
    ['sso-admin.*=InternalServerException:1@a-b', '@a-b'],
    ['sso-admin.*=InternalServerException:1@', '@"'],
  ])('refuses %p, naming the window', (spec, named) => {
    // Prepare
    // Act
    const error = caught(() => parseFaults(spec));

    // Assess
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^LOCAL_FAULTS: window "/);
    expect(message).toContain(named === '@"' ? 'window "@"' : `window "${named}"`);
    expect(message).toContain(spec);
  });

  it('refuses a wildcard that is not the whole operation, naming the entry', () => {
    // Prepare
    const spec = 'sso-admin.Create*=ThrottlingException:1';

    // Act
    const error = caught(() => parseFaults(spec));

    // Assess
    expect((error as Error).message).toContain(`bad entry "${spec}"`);
  });

  it('refuses a probability outside 0..1 in a windowed entry, naming it', () => {
    // Prepare
    const spec = 'sso-admin.*=InternalServerException:1.5@0-10';

    // Act
    const error = caught(() => parseFaults(spec));

    // Assess
    expect((error as Error).message).toContain('probability "1.5"');
  });
});

describe('FaultInjector: windows', () => {
  const outage = (timeScale: number, clock: ReturnType<typeof manualClock>) =>
    new FaultInjector(parseFaults('sso-admin.*=InternalServerException:1@90-210'), always, {
      startedAtMs: STARTED_AT_MS,
      timeScale,
      now: clock.now,
    });

  it.each([
    [0, false],
    [89.999, false],
    [90, true],
    [150, true],
    [209.999, true],
    [210, false],
    [3600, false],
  ])('at %p AWS seconds (time scale 1), fails every SSO Admin call: %p', (seconds, fails) => {
    // Prepare
    const clock = manualClock(STARTED_AT_MS);
    const injector = outage(1, clock);
    clock.at(STARTED_AT_MS + seconds * 1000);

    // Act
    const errors = ['CreateAccountAssignment', 'DeleteAccountAssignment', 'ListAccountAssignments'].map((operation) =>
      caught(() => injector.check('sso-admin', operation)),
    );

    // Assess
    for (const error of errors) {
      if (fails) {
        expect(error).toBeInstanceOf(AwsServiceError);
        expect((error as AwsServiceError).name).toBe('InternalServerException');
        // A server fault travels as a 5xx, so SDK clients classify it as the service's fault.
        expect((error as AwsServiceError).status).toBe(500);
      } else {
        expect(error).toBeUndefined();
      }
    }
  });

  it('leaves other services alone inside the window', () => {
    // Prepare
    const clock = manualClock(STARTED_AT_MS);
    const injector = outage(1, clock);
    clock.at(STARTED_AT_MS + 100_000);

    // Act
    const dynamo = caught(() => injector.check('dynamodb', 'Query'));
    const proton = caught(() => injector.check('proton', 'AcceptEnvironmentAccountConnection'));

    // Assess
    expect(dynamo).toBeUndefined();
    expect(proton).toBeUndefined();
  });

  it.each([
    // LOCAL_TIME_SCALE 0.01: 90 AWS seconds are 0.9 s of wall time, 210 are 2.1 s.
    [0.01, 899, false],
    [0.01, 900, true],
    [0.01, 2_099, true],
    [0.01, 2_100, false],
    // Slower than AWS: 90 AWS seconds are 180 wall seconds.
    [2, 179_999, false],
    [2, 180_000, true],
    [2, 419_999, true],
    [2, 420_000, false],
  ])('scales the window by the time scale (%p): %p wall ms after the start fails: %p', (timeScale, wallMs, fails) => {
    // Prepare
    const clock = manualClock(STARTED_AT_MS);
    const injector = outage(timeScale, clock);
    clock.at(STARTED_AT_MS + wallMs);

    // Act
    const error = caught(() => injector.check('sso-admin', 'DescribeAccountAssignmentDeletionStatus'));

    // Assess
    expect(error === undefined).toBe(!fails);
  });

  it('applies the probability only inside the window', () => {
    // Prepare
    const clock = manualClock(STARTED_AT_MS);
    let draws = 0;
    // 0.3 fires for draws under 0.3: alternate 0.1 (fires) and 0.9 (does not).
    const random = () => (draws++ % 2 === 0 ? 0.1 : 0.9);
    const injector = new FaultInjector(
      parseFaults('sso-admin.DeleteAccountAssignment=ConflictException:0.3@10-20'),
      random,
      {
        startedAtMs: STARTED_AT_MS,
        timeScale: 1,
        now: clock.now,
      },
    );

    // Act
    const before = [1, 2].map(() => caught(() => injector.check('sso-admin', 'DeleteAccountAssignment')));
    clock.at(STARTED_AT_MS + 15_000);
    const inside = [1, 2].map(() => caught(() => injector.check('sso-admin', 'DeleteAccountAssignment')));
    const otherOperation = caught(() => injector.check('sso-admin', 'CreateAccountAssignment'));

    // Assess
    expect(before).toEqual([undefined, undefined]);
    expect(draws).toBe(2);
    expect((inside[0] as AwsServiceError).name).toBe('ConflictException');
    expect((inside[0] as AwsServiceError).status).toBe(400);
    expect(inside[1]).toBeUndefined();
    expect(otherOperation).toBeUndefined();
  });

  it('lets an unwindowed rule and a windowed one for the same operation both apply', () => {
    // Prepare
    const clock = manualClock(STARTED_AT_MS);
    const injector = new FaultInjector(
      parseFaults('sso-admin.CreateAccountAssignment=ConflictException:0,sso-admin.*=ThrottlingException:1@5-6'),
      always,
      { startedAtMs: STARTED_AT_MS, timeScale: 1, now: clock.now },
    );

    // Act
    const outside = caught(() => injector.check('sso-admin', 'CreateAccountAssignment'));
    clock.at(STARTED_AT_MS + 5_500);
    const inside = caught(() => injector.check('sso-admin', 'CreateAccountAssignment'));

    // Assess
    expect(outside).toBeUndefined();
    expect((inside as AwsServiceError).name).toBe('ThrottlingException');
  });
});
