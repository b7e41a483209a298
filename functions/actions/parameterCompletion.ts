// Submitting by name (DESIGN.md, "Submitting by name"): what a requester may leave out of an action's parameters,
// what they may give by name instead, and how the rest is filled in at submit. Like targetFacts.ts, this is an
// action-keyed map kept apart from the action definitions, so the definitions stay pure data and the parameters an
// action stores are always the full set AWS receives. Only submit calls `complete`; the shapes here are also compiled
// into the submit body's validators (submitSchemas.ts).
import type { Directory } from '../directory/directory.js';
import type { ResolvedCaller } from '../policy/eligibility.js';
import { PrincipalNotAllowedError, ValidationError, type ErrorDetail } from '../shared/errors.js';
import type { JsonSchema } from '../shared/validation.js';
import { ssoCreateAccountAssignment } from './ssoCreateAccountAssignment.js';

export interface CompletionContext {
  directory: Directory;
  caller: ResolvedCaller;
}

export interface ParameterCompletion {
  /** Parameters the body may leave out, because `complete` fills them in. */
  readonly optional: readonly string[];
  /** Fields the body may give that are not AWS parameters (a name standing for an id), with their constraints. */
  readonly byName: Readonly<Record<string, JsonSchema>>;
  /**
   * Problems between fields that no per-field schema can see (both or neither of a pair), found without any look-up
   * so they come back together with every other problem of the body. `base` is the path of the parameters object.
   */
  check(parameters: Readonly<Record<string, unknown>>, base: string): ErrorDetail[];
  /**
   * The full parameters AWS receives, from a body that passed its shape and `check`. Throws ValidationError for a name
   * nothing has, and PrincipalNotAllowedError when the caller asks for themselves but has no Identity Center user.
   */
  complete(parameters: Readonly<Record<string, unknown>>, context: CompletionContext): Promise<Record<string, unknown>>;
}

/**
 * The constraints of CreatePermissionSet's `Name` in the SSO Admin API model (length 1-32, `[\w+=,.@-]+`): a name
 * that breaks them cannot name any permission set, so it is refused before anything is looked up.
 */
export const PERMISSION_SET_NAME_SCHEMA: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 32,
  pattern: '^[\\w+=,.@-]+$',
};

const SELF_PRINCIPAL_HELP =
  'name the principal with PrincipalType and PrincipalId, or ask someone with an Identity Center user to request it';

const ssoCompletion: ParameterCompletion = {
  optional: ['InstanceArn', 'PermissionSetArn', 'PrincipalId', 'PrincipalType', 'TargetType'],
  byName: { PermissionSetName: PERMISSION_SET_NAME_SCHEMA },
  check: (p, base) => {
    const details: ErrorDetail[] = [];
    const has = (field: string): boolean => p[field] !== undefined;
    if (has('PermissionSetName') && has('PermissionSetArn')) {
      details.push({
        path: `${base}.PermissionSetName`,
        message: 'give either PermissionSetName or PermissionSetArn, not both',
      });
    } else if (!has('PermissionSetName') && !has('PermissionSetArn')) {
      details.push({ path: `${base}.PermissionSetName`, message: 'is required (or give PermissionSetArn instead)' });
    }
    // Half a principal is a mistake, not a request for oneself: the other half would be guessed.
    if (has('PrincipalId') && !has('PrincipalType')) {
      details.push({ path: `${base}.PrincipalType`, message: 'is required when PrincipalId is given (USER or GROUP)' });
    }
    if (has('PrincipalType') && !has('PrincipalId')) {
      details.push({ path: `${base}.PrincipalId`, message: 'is required when PrincipalType is given' });
    }
    return details;
  },
  complete: async (p, { directory, caller }) => {
    const { PermissionSetName: permissionSetName, ...given } = p;
    const configuredInstance = given.InstanceArn === undefined || permissionSetName !== undefined;
    const [instanceArn, permissionSets] = await Promise.all([
      configuredInstance ? directory.instanceArn() : undefined,
      permissionSetName !== undefined ? directory.permissionSets() : undefined,
    ]);
    const details: ErrorDetail[] = [];
    let permissionSetArn = given.PermissionSetArn;
    if (permissionSetName !== undefined) {
      permissionSetArn = permissionSets?.find((set) => set.name === permissionSetName)?.arn;
      if (permissionSetArn === undefined) {
        details.push({
          path: 'parameters.PermissionSetName',
          message: `no permission set of this Identity Center instance is named ${String(permissionSetName)}`,
        });
      }
      // A name is looked up in the configured instance, so its ARN only works there.
      if (given.InstanceArn !== undefined && given.InstanceArn !== instanceArn) {
        details.push({
          path: 'parameters.InstanceArn',
          message: `must be the configured instance ${instanceArn} when the permission set is given by name`,
        });
      }
    }
    if (details.length > 0) throw new ValidationError(details);
    const forSelf = given.PrincipalId === undefined;
    if (forSelf && !caller.user) {
      throw new PrincipalNotAllowedError(
        `No Identity Center user matches your identity (${caller.id}), so you cannot request access for yourself: ${SELF_PRINCIPAL_HELP}`,
      );
    }
    return {
      InstanceArn: given.InstanceArn ?? instanceArn,
      PermissionSetArn: permissionSetArn,
      PrincipalId: forSelf ? caller.user?.userId : given.PrincipalId,
      PrincipalType: forSelf ? 'USER' : given.PrincipalType,
      TargetId: given.TargetId,
      TargetType: given.TargetType ?? 'AWS_ACCOUNT',
    };
  },
};

const completions = new Map<string, ParameterCompletion>([[ssoCreateAccountAssignment.name, ssoCompletion]]);

/** The action's completion; actions without one take their parameters exactly as AWS does. */
export const parameterCompletion = (action: string): ParameterCompletion | undefined => completions.get(action);

/**
 * The schema a submitted body's `parameters` must meet for an action: its AWS schema, with the fields its completion
 * fills in made optional and its by-name fields added. Actions without a completion keep their AWS schema as it is.
 */
export const submittedParameterSchema = (action: string, parameterSchema: JsonSchema): JsonSchema => {
  const completion = completions.get(action);
  if (!completion) return parameterSchema;
  const required = (parameterSchema.required as string[] | undefined) ?? [];
  return {
    ...parameterSchema,
    required: required.filter((field) => !completion.optional.includes(field)),
    properties: { ...(parameterSchema.properties as Record<string, JsonSchema>), ...completion.byName },
  };
};
