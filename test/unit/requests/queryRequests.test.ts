import { describe, expect, it } from '@jest/globals';
import { authorizeQuery, parseListQuery, planQuery } from '../../../functions/requests/queryRequests.js';
import { decodeCursor, encodeCursor } from '../../../functions/requests/cursor.js';

describe('parseListQuery', () => {
  it('reads every filter, the limit and the format', () => {
    // Act
    const query = parseListQuery(
      {
        requester: 'alice@example.com',
        status: 'COMPLETED',
        action: 'sso:CreateAccountAssignment',
        targetId: '111111111111',
        approver: 'bob@example.com',
        from: '2026-01-01T00:00:00Z',
        to: '2026-12-31T23:59:59.999Z',
        limit: '200',
        format: 'csv',
      },
      undefined,
    );
    // Assess
    expect(query).toEqual({
      filters: {
        requester: 'alice@example.com',
        status: 'COMPLETED',
        action: 'sso:CreateAccountAssignment',
        targetId: '111111111111',
        approver: 'bob@example.com',
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-12-31T23:59:59.999Z',
      },
      limit: 200,
      csv: true,
    });
  });

  it('defaults to 50 JSON rows, and honours Accept: text/csv', () => {
    // Act / Assess
    expect(parseListQuery({}, undefined)).toEqual({ filters: {}, limit: 50, csv: false });
    expect(parseListQuery({}, 'text/csv').csv).toBe(true);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ status: 'DONE' }, 'status'],
    [{ action: 'iam:CreateUser' }, 'action'],
    [{ from: 'yesterday' }, 'from'],
    [{ from: '2026-02-30T10:00:00Z' }, 'from'],
    [{ to: '2026-01-01T24:00:00Z' }, 'to'],
    [{ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'from'],
    [{ requester: '' }, 'requester'],
    [{ sort: 'asc' }, 'sort'],
    [{ format: 'xml' }, 'format'],
  ])('refuses %j with a 400 naming %s', (params, path) => {
    // Act / Assess
    expect(() => parseListQuery(params, undefined)).toThrow(
      expect.objectContaining({ statusCode: 400, details: [expect.objectContaining({ path })] }),
    );
  });
});

describe('authorizeQuery', () => {
  it('lets auditors ask anything and others only for their own requests', () => {
    // Act / Assess
    expect(() => authorizeQuery({}, 'dana@example.com', true)).not.toThrow();
    expect(() =>
      authorizeQuery({ requester: 'alice@example.com', status: 'DENIED' }, 'alice@example.com', false),
    ).not.toThrow();
    expect(() => authorizeQuery({}, 'alice@example.com', false)).toThrow(expect.objectContaining({ statusCode: 403 }));
    expect(() => authorizeQuery({ requester: 'bob@example.com' }, 'alice@example.com', false)).toThrow(
      expect.objectContaining({ statusCode: 403 }),
    );
  });
});

describe('planQuery', () => {
  it.each([
    [{}, 'byTime'],
    [{ from: '2026-01-01T00:00:00.000Z' }, 'byTime'],
    [{ action: 'sso:CreateAccountAssignment' }, 'byAction'],
    [{ status: 'FAILED', action: 'sso:CreateAccountAssignment' }, 'byActionStatus'],
    [{ status: 'FAILED', from: '2026-01-01T00:00:00.000Z' }, 'byStatus'],
    [{ targetId: '111111111111', status: 'FAILED' }, 'byTargetStatus'],
    [{ targetId: '111111111111', action: 'sso:CreateAccountAssignment' }, 'byTarget'],
    [{ approver: 'bob@example.com' }, 'byApprover'],
    [{ approver: 'bob@example.com', action: 'sso:CreateAccountAssignment' }, 'byApproverAction'],
    [{ approver: 'bob@example.com', targetId: '111111111111' }, 'byApprover'],
    [{ approver: 'bob@example.com', status: 'PENDING_APPROVAL' }, 'byApproverStatus'],
    [{ requester: 'alice@example.com', approver: 'bob@example.com' }, 'byRequester'],
    [{ requester: 'alice@example.com', approver: 'bob@example.com', status: 'FAILED' }, 'byRequesterStatus'],
  ] as const)('serves %j from %s', (filters, index) => {
    // Act / Assess
    expect(planQuery(filters).index).toBe(index);
  });
});

describe('cursors', () => {
  it('round-trip, and refuse tampering, another query, or another secret', () => {
    // Prepare
    const cursor = encodeCursor(
      { pk: 'REQUEST#1', sk: 'REQUEST', status: 'FAILED', createdAt: '2026' },
      'query-a',
      'secret',
    );
    // Act / Assess
    expect(decodeCursor(cursor, 'query-a', 'secret')).toEqual({
      pk: 'REQUEST#1',
      sk: 'REQUEST',
      status: 'FAILED',
      createdAt: '2026',
    });
    expect(() => decodeCursor(cursor, 'query-b', 'secret')).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => decodeCursor(cursor, 'query-a', 'other')).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => decodeCursor(`x${cursor}`, 'query-a', 'secret')).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => decodeCursor('not-a-cursor', 'query-a', 'secret')).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
  });
});
