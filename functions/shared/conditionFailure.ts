// A conditional write that lost is an expected outcome, not a failure. Matched by name, not by class: the
// DynamoDB client sets `name` on its exceptions, and importing the class would pull that client into bundles
// that only use the document client's commands.
export const isConditionFailure = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
