// Step Functions task (.waitForTaskToken): every creation slot was taken, so this execution waits in the slots' queue
// until a released slot is handed to it (provisioning/operationSlots.ts). Never log the event: it carries the task
// token.
import type { SsoAssignmentParameters } from './actions/ssoCreateAccountAssignment.js';
import { defaultCreationSlots } from './shared/assignmentDefaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<
  {
    /** Which slots: only creations queue (deletions back off; docs/retry-policy.md). */
    kind: 'creation';
    requestId: string;
    parameters: Pick<SsoAssignmentParameters, 'InstanceArn'>;
    taskToken: string;
    /** The execution's start time (ISO): its place in the queue, the same each time it queues. */
    queuedSince: string;
  },
  { outcome: 'admitted' | 'queued' }
>(async (event) => {
  if (event.kind !== 'creation') throw new Error(`kind must be "creation", got ${JSON.stringify(event.kind)}`);
  return {
    outcome: await defaultCreationSlots().waitForSlot(
      event.parameters.InstanceArn,
      event.requestId,
      event.taskToken,
      event.queuedSince,
    ),
  };
});
