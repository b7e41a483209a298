import { AwsServiceError } from './types.js';

export interface FaultRule {
  service: string;
  operation: string;
  errorName: string;
  probability: number;
}

const ENTRY = /^([a-z0-9-]+)\.([A-Za-z0-9]+)=([A-Za-z][A-Za-z0-9]*):(.+)$/;

/**
 * Parses LOCAL_FAULTS, e.g.
 * "sso-admin.CreateAccountAssignment=ThrottlingException:0.3,proton.AcceptEnvironmentAccountConnection=ConflictException:0.5".
 * undefined/empty → []. A bad entry (syntax, or probability outside 0..1) throws an Error starting "LOCAL_FAULTS:" that names it.
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
      const [, service = '', operation = '', errorName = '', chance = ''] = match;
      const probability = Number(chance);
      if (!(probability >= 0 && probability <= 1)) {
        throw new Error(`LOCAL_FAULTS: probability "${chance}" in "${entry}" is not a number from 0 to 1`);
      }
      return { service, operation, errorName, probability };
    });

// Server-side faults travel as 5xx so SDK clients classify them as the service's fault, like the real thing.
const isServerFault = (errorName: string): boolean => /^(Internal|ServiceUnavailable)/.test(errorName);

export class FaultInjector {
  constructor(
    private readonly rules: FaultRule[],
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Throws an AwsServiceError(errorName, "Injected fault ...", status) when a rule for service+operation fires:
   * status 500 for InternalServerException / ServiceUnavailable-like names, else 400.
   */
  check(service: string, operation: string): void {
    for (const rule of this.rules) {
      if (rule.service !== service || rule.operation !== operation) continue;
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
