// CONTRACT STUB, replaced by the policy helper: who may ask for what, for whom, and who decides.
import type { Directory, DirectoryUser } from '../directory/directory.js';
import type { ApprovalRoute, Policy } from './policy.js';

/** The caller as the JWT authorizer gave them. */
export interface CallerClaims {
  /** The person id used everywhere else (callerIdentity: `email`, else `sub`). */
  id: string;
  claims: Readonly<Record<string, unknown>>;
}

/** The caller with their Identity Center user, when the policy's `identity` mapping finds one. */
export interface ResolvedCaller {
  id: string;
  user?: DirectoryUser;
}

export interface RouteInput {
  action: string;
  /** The completed, validated parameters AWS will receive. */
  parameters: Record<string, string>;
  /** Facts looked up about the target (targetFacts.ts). */
  facts: Record<string, string>;
  caller: ResolvedCaller;
}

export interface RequestRoute extends ApprovalRoute {
  /** False when the matching rule sets `approvalRequired: false`: the system approves at once. */
  approvalRequired: boolean;
}

export const resolveCaller = async (
  _policy: Policy,
  _directory: Directory,
  _caller: CallerClaims,
): Promise<ResolvedCaller> => {
  throw new Error('not built yet');
};

export const routeRequest = async (
  _policy: Policy,
  _directory: Directory,
  _input: RouteInput,
): Promise<RequestRoute> => {
  throw new Error('not built yet');
};
