// The conditional-write protocol: a write whose condition refuses it lost a race or found the item in another
// state. That is an expected answer, not a failure, so it comes back as a value; every other error is thrown.
// Every conditional write in the table goes through here, so that "refused" is decided in one place.
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient, type UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Whether an error is DynamoDB refusing a write on its condition. Matched by name, not by class: the DynamoDB
 * client sets `name` on its exceptions, and importing the class would pull that client into bundles that only
 * use the document client's commands.
 */
const isConditionFailure = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/** The output of `send`, or undefined when the condition refused it. */
const unlessRefused = async <Output>(send: () => Promise<Output>): Promise<Output | undefined> => {
  try {
    return await send();
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
};

/** Sends a conditional Put, Update or Delete: true if it was written, false if its condition refused it. */
export const conditionalWrite = async (
  db: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand | DeleteCommand,
): Promise<boolean> => {
  // Narrowed per command type, because the client's `send` is typed per command, not over a union of them.
  const written =
    command instanceof PutCommand
      ? await unlessRefused(() => db.send(command))
      : command instanceof DeleteCommand
        ? await unlessRefused(() => db.send(command))
        : await unlessRefused(() => db.send(command));
  return written !== undefined;
};

/**
 * Sends a conditional Update that asks for `ReturnValues`: the item's attributes as the write returned them, or
 * undefined if its condition refused it.
 */
export const conditionalUpdate = async (
  db: DynamoDBDocumentClient,
  command: UpdateCommand,
): Promise<Record<string, unknown> | undefined> => {
  const written = await unlessRefused(() => db.send(command));
  return written === undefined ? undefined : (written.Attributes ?? {});
};
