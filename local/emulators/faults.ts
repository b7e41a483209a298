import { AwsServiceError } from './types.js';

export interface FaultRule {
  service: string;
  /** An operation name, or `*` for every operation of the service. */
  operation: string;
  errorName: string;
  probability: number;
  /**
   * Only while the stack's AWS time is in [fromSeconds, toSeconds): seconds since the stack started, in AWS time (so
   * under LOCAL_TIME_SCALE 0.01 a 120 s window lasts 1.2 s of wall time). Absent: always.
   */
  window?: { fromSeconds: number; toSeconds: number };
}

const ENTRY = /^([a-z0-9-]+)\.([A-Za-z0-9]+|\*)=([A-Za-z][A-Za-z0-9]*):([^@]+)(?:@(.*))?$/;
const WINDOW = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/;

/**
 * Parses LOCAL_FAULTS, e.g.
 * "sso-admin.CreateAccountAssignment=ThrottlingException:0.3,proton.AcceptEnvironmentAccountConnection=ConflictException:0.5".
 * An entry may end in a time window, `@from-to`, in AWS seconds since the stack started:
 * "sso-admin.*=InternalServerException:1@90-210" fails every SSO Admin call for two minutes of AWS time.
 * undefined/empty → []. A bad entry (syntax, probability outside 0..1, or a window that is not from < to) throws an
 * Error starting "LOCAL_FAULTS:" that names it.
 */
export const parseFaults = (spec: string | undefined): FaultRule[] =>
  (spec ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = ENTRY.exec(entry);
      if (!match) {
        throw new Error(`LOCAL_FAULTS: bad entry "${entry}", expected service.Operation=ErrorName:probability`);
      }
      const [, service = '', operation = '', errorName = '', chance = '', windowSpec] = match;
      const probability = Number(chance);
      if (!(probability >= 0 && probability <= 1)) {
        throw new Error(`LOCAL_FAULTS: probability "${chance}" in "${entry}" is not a number from 0 to 1`);
      }
      if (windowSpec === undefined) return { service, operation, errorName, probability };
      const bounds = WINDOW.exec(windowSpec);
      const fromSeconds = Number(bounds?.[1]);
      const toSeconds = Number(bounds?.[2]);
      if (!bounds || !(fromSeconds < toSeconds)) {
        throw new Error(
          `LOCAL_FAULTS: window "@${windowSpec}" in "${entry}" must be @from-to in AWS seconds since the stack started, with from < to`,
        );
      }
      return { service, operation, errorName, probability, window: { fromSeconds, toSeconds } };
    });

// Server-side faults travel as 5xx so SDK clients classify them as the service's fault, like the real thing.
const isServerFault = (errorName: string): boolean => /^(Internal|ServiceUnavailable)/.test(errorName);

/** Where the stack's AWS time stands, for windowed rules: wall milliseconds since the start, divided by the time scale. */
export interface FaultTiming {
  startedAtMs: number;
  timeScale: number;
  now?: () => number;
}

export class FaultInjector {
  private readonly timing: Required<FaultTiming>;

  constructor(
    private readonly rules: FaultRule[],
    private readonly random: () => number = Math.random,
    timing: FaultTiming = { startedAtMs: Date.now(), timeScale: 1 },
  ) {
    this.timing = { now: Date.now, ...timing };
  }

  /** AWS seconds since the stack started. */
  private awsSeconds(): number {
    return (this.timing.now() - this.timing.startedAtMs) / 1000 / this.timing.timeScale;
  }

  private applies(rule: FaultRule, service: string, operation: string): boolean {
    if (rule.service !== service || (rule.operation !== operation && rule.operation !== '*')) return false;
    if (!rule.window) return true;
    const at = this.awsSeconds();
    return at >= rule.window.fromSeconds && at < rule.window.toSeconds;
  }

  /**
   * Throws an AwsServiceError(errorName, "Injected fault ...", status) when a rule for service+operation fires:
   * status 500 for InternalServerException / ServiceUnavailable-like names, else 400.
   */
  check(service: string, operation: string): void {
    for (const rule of this.rules) {
      if (!this.applies(rule, service, operation)) continue;
      if (this.random() < rule.probability) {
        throw new AwsServiceError(
          rule.errorName,
          `Injected fault: LOCAL_FAULTS ${service}.${operation}=${rule.errorName}:${rule.probability}`,
          isServerFault(rule.errorName) ? 500 : 400,
        );
      }
    }
  }
}
