// A decision that settles the request is recorded and resumes the workflow; the approver entries' copy of the
// status is written alongside, and its failure must not turn that recorded decision into an error (the outcome
// step, retried until it succeeds, rewrites the copy).
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { decideAs } from '../../../functions/approvals/decide.js';
import type { RequestItem } from '../../../functions/requests/model.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { storedRequest } from '../../fixtures/requests.js';

const pending = storedRequest('PENDING_APPROVAL');

describe('decideAs when the approver entries cannot be updated', () => {
  it('still answers with the recorded, settling decision and resumes the workflow once', async () => {
    // Prepare
    const sfn = mockClient(SFNClient);
    sfn.on(SendTaskSuccessCommand).resolves({});
    const syncCalls: string[] = [];
    const repository = {
      get: async () => pending,
      getTaskToken: async () => 'token-1',
      recordDecision: async (): Promise<RequestItem> => ({
        ...pending,
        status: 'APPROVED',
        approvalCount: 1,
        decisions: { 'bob@example.com': 'approve' },
      }),
      syncApproverStatus: async (item: RequestItem) => {
        syncCalls.push(item.status);
        throw Object.assign(new Error('throughput'), { name: 'ProvisionedThroughputExceededException' });
      },
    } as unknown as RequestRepository;
    // Act
    const result = await decideAs(
      { requestId: 'r-1', approver: 'bob@example.com', decision: 'approve', via: 'link' },
      { repository, sfn: new SFNClient({}), clock: { now: () => new Date('2026-11-21T11:00:00.000Z') } },
    );
    // Assess
    expect(result.settled).toBe(true);
    expect(result.item.status).toBe('APPROVED');
    expect(syncCalls).toEqual(['APPROVED']);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    sfn.restore();
  });
});
