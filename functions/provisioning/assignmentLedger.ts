// Which of our grants hold an Identity Center assignment, so that ending one never cuts another short.
// One item per assignment; every change is a single conditional write (no read-then-write races):
// - a grant registers after its CreateAccountAssignment succeeds, recording whether the assignment
//   existed before our first grant (then we never delete it);
// - a grant that ends removes itself; only if none is left, and it was not pre-existing, does it claim
//   the deletion (`deleting`), and a grant arriving meanwhile waits (IdentityCenterBusy, on the state machine's busy
//   retrier, which spends no contention budget) until the deletion finishes, and then re-creates the assignment.
// - ending is idempotent: a retry whose grant is already gone decides again from the item as it is now, so a failure
//   between removing the grant and claiming the deletion can never leave the assignment in place unclaimed.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';
import { assignmentKey } from '../requests/keys.js';
import { conditionalUpdate, conditionalWrite } from '../shared/conditionalWrite.js';
import { IdentityCenterBusyError } from '../shared/errors.js';

export interface LedgerDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
}

export interface LedgerItem {
  grants?: Record<string, string>;
  preExisting?: boolean;
  deleting?: string;
  version?: number;
}

/**
 * Whether the ledger accounts for the assignment being in place: a live grant of ours holds it, or a deletion of ours
 * is under way. The reconciler reports a listed assignment that this does not explain as unmanaged.
 */
export const explainsAssignment = (item: LedgerItem | undefined): boolean =>
  Object.keys(item?.grants ?? {}).length > 0 || Boolean(item?.deleting);

/** Permanent (not time-bound) grants hold the assignment forever. */
export const PERMANENT = 'permanent';

export type EndDecision = { delete: true } | { delete: false; reason: string };

const conflict = (message: string): Error => Object.assign(new Error(message), { name: 'ConflictException' });

/**
 * Another grant's deletion of this assignment is in flight: a wait, not contention. It may last as long as that
 * revocation's 24-hour budget, which must not spend the new grant's 30-minute contention budget.
 */
const deletionInFlight = (): Error =>
  new IdentityCenterBusyError('A revocation of this assignment is in progress; waiting for it to finish', 30);
export const createAssignmentLedger = ({ db, tableName }: LedgerDeps) => {
  const read = async (a: SsoAssignmentParameters): Promise<LedgerItem | undefined> =>
    (await db.send(new GetCommand({ TableName: tableName, Key: assignmentKey(a), ConsistentRead: true }))).Item as
      | LedgerItem
      | undefined;

  /** Removes one grant; the ledger as it is afterwards, or undefined if the grant was not there. */
  const removeGrant = async (a: SsoAssignmentParameters, requestId: string): Promise<LedgerItem | undefined> => {
    const after = await conditionalUpdate(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: assignmentKey(a),
        UpdateExpression: 'REMOVE grants.#grant SET version = version + :one',
        ConditionExpression: 'attribute_exists(grants.#grant)',
        ExpressionAttributeNames: { '#grant': requestId },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return after as LedgerItem | undefined;
  };

  /**
   * Whether `requestId`, whose grant is no longer in `item`, must delete the assignment: yes if the claim is already
   * ours (a retry resumes it); no while another grant holds it, it existed before our first grant, or another grant's
   * deletion is under way; otherwise claim it now, conditional on the version so a grant registering meanwhile wins.
   */
  const decide = async (
    a: SsoAssignmentParameters,
    requestId: string,
    item: LedgerItem | undefined,
    tries = 1,
  ): Promise<EndDecision> => {
    if (item?.deleting === requestId) return { delete: true };
    const others = Object.keys(item?.grants ?? {}).filter((grant) => grant !== requestId);
    if (others.length > 0) return { delete: false, reason: `still held by ${others.length} other grant(s) of ours` };
    if (item?.preExisting) return { delete: false, reason: 'the assignment existed before our first grant' };
    if (item?.deleting) return { delete: false, reason: 'another grant of ours is deleting the assignment' };
    if (!item) return { delete: false, reason: 'no grant of ours ever held this assignment' };
    const claimed = await conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: assignmentKey(a),
        UpdateExpression: 'SET deleting = :grant',
        ConditionExpression: 'attribute_not_exists(deleting) AND version = :version',
        ExpressionAttributeValues: { ':grant': requestId, ':version': item.version ?? 0 },
      }),
    );
    if (claimed) return { delete: true };
    // The item changed between the read and the claim (a grant registered, or another grant claimed): decide again.
    // Each refusal means another writer got in; past a few, the caller's retry (a transient error) tries later.
    if (tries >= 5) throw conflict('The assignment ledger kept changing while this grant ended; retry');
    return decide(a, requestId, await read(a), tries + 1);
  };

  return {
    /** The ledger item as it is now (read consistently), or undefined when no grant of ours ever held it. */
    get: read,

    /** Whether a pre-existence check is needed: only when no grant of ours holds the assignment now. */
    async needsExistenceCheck(a: SsoAssignmentParameters): Promise<boolean> {
      const item = await read(a);
      if (item?.deleting) throw deletionInFlight();
      return Object.keys(item?.grants ?? {}).length === 0;
    },

    /** Records a grant once its assignment exists. Idempotent for a retried grant. */
    async register(
      a: SsoAssignmentParameters,
      requestId: string,
      until: string,
      existedBefore: boolean | undefined,
    ): Promise<void> {
      const item = await read(a);
      if (item?.grants?.[requestId]) return;
      if (item?.deleting) throw deletionInFlight();
      const fresh = Object.keys(item?.grants ?? {}).length === 0;
      // The first grant (again) decides pre-existence; the version guards against a concurrent first grant.
      const registered = await conditionalWrite(
        db,
        fresh
          ? new PutCommand({
              TableName: tableName,
              Item: {
                ...assignmentKey(a),
                assignment: a,
                grants: { [requestId]: until },
                preExisting: existedBefore ?? false,
                version: (item?.version ?? 0) + 1,
              },
              ConditionExpression:
                'attribute_not_exists(pk) OR (attribute_not_exists(deleting) AND version = :version)',
              ExpressionAttributeValues: { ':version': item?.version ?? 0 },
            })
          : new UpdateCommand({
              TableName: tableName,
              Key: assignmentKey(a),
              UpdateExpression: 'SET grants.#grant = :until, version = version + :one',
              ConditionExpression: 'attribute_not_exists(deleting) AND attribute_exists(grants)',
              ExpressionAttributeNames: { '#grant': requestId },
              ExpressionAttributeValues: { ':until': until, ':one': 1 },
            }),
      );
      if (!registered) throw conflict('The assignment ledger changed under this grant; retry');
    },

    /**
     * Ends a grant and says whether this grant must delete the assignment. Idempotent: a retry whose grant is already
     * gone decides again from the item as it is now (see `decide`), so a failure after removing the grant never turns
     * into "nothing to do" while the assignment is left in place with no grant and no claim.
     */
    async end(a: SsoAssignmentParameters, requestId: string): Promise<EndDecision> {
      const after = await removeGrant(a, requestId);
      return decide(a, requestId, after ?? (await read(a)));
    },

    /** Releases the deletion claim once Identity Center has finished (either way). */
    async deletionFinished(a: SsoAssignmentParameters, requestId: string): Promise<void> {
      // Refused when the claim is no longer ours (already released by an earlier try): nothing left to do.
      await conditionalWrite(
        db,
        new UpdateCommand({
          TableName: tableName,
          Key: assignmentKey(a),
          UpdateExpression: 'REMOVE deleting SET version = version + :one',
          ConditionExpression: 'deleting = :grant',
          ExpressionAttributeValues: { ':grant': requestId, ':one': 1 },
        }),
      );
    },

    /** Forgets a grant whose creation failed, so it never holds the assignment. */
    async drop(a: SsoAssignmentParameters, requestId: string): Promise<void> {
      await removeGrant(a, requestId);
    },
  };
};

export type AssignmentLedger = ReturnType<typeof createAssignmentLedger>;
