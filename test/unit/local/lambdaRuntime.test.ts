import { describe, it, expect } from '@jest/globals';
import { createLambdaRuntime, literalEnvironment } from '../../../local/lambdaRuntime.js';
import { projectRoot, type FunctionDefinition, type ServerlessConfig } from '../../../local/serverlessConfig.js';

const fn = (name: string, module: string, environment: Record<string, unknown> = {}): FunctionDefinition => ({
  name,
  modulePath: `test/unit/local/fixtures/${module}`,
  exportName: 'handler',
  environment,
});

const configWith = (functions: FunctionDefinition[]): ServerlessConfig =>
  ({ service: 'access-approvals', functions, routes: [] }) as unknown as ServerlessConfig;

const runtime = createLambdaRuntime(
  configWith([fn('echo', 'echoHandler'), fn('fail', 'failingHandler'), fn('broken', 'notAHandler')]),
  { projectRoot, timeoutMs: 5000 },
);

describe('createLambdaRuntime', () => {
  it('passes the event through untouched and gives the handler a Lambda-like context', async () => {
    // Prepare
    const event = { kind: 'approval', nested: { at: [1, 2] } };

    // Act
    const result = (await runtime.invoke('echo', event)) as Record<string, unknown>;

    // Assess
    expect(result.event).toBe(event);
    expect(result.functionName).toBe('access-approvals-local-echo');
    expect(result.invokedFunctionArn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:access-approvals-local-echo',
    );
    expect(result.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.remainingMs).toBeGreaterThan(4000);
    expect(result.remainingMs).toBeLessThanOrEqual(5000);
  });

  it('accepts the Lambda ARN Step Functions uses, and the deployed-style name', async () => {
    // Act
    const byArn = (await runtime.invoke('arn:aws:lambda:us-east-1:000000000000:function:echo', 1)) as Record<
      string,
      unknown
    >;
    const byDeployedName = (await runtime.invoke('access-approvals-local-echo', 2)) as Record<string, unknown>;

    // Assess
    expect(byArn.event).toBe(1);
    expect(byDeployedName.event).toBe(2);
  });

  it('propagates handler errors with their AWS name intact', async () => {
    // Act
    const failure = runtime.invoke('fail', {});

    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'ConflictException',
      message: 'Another operation is in progress',
    });
  });

  it('rejects unknown functions and modules without a handler function', async () => {
    // Act
    const unknown = runtime.invoke('nope', {});
    const broken = runtime.invoke('broken', {});

    // Assess
    await expect(unknown).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(broken).rejects.toThrow('test/unit/local/fixtures/notAHandler.ts does not export a function handler');
  });
});

describe('literalEnvironment', () => {
  it('keeps plain values and skips CloudFormation references and ${...} variables', () => {
    // Prepare
    const config = configWith([
      fn('a', 'echoHandler', { STATE_MACHINE_ARN: { Ref: 'ApprovalStateMachine' }, MODE: 'strict', LIMIT: 3 }),
      fn('b', 'echoHandler', { LINK_SIGNING_SECRET_PARAMETER: '${param:linkSigningSecretParameter}', MODE: 'strict' }),
    ]);

    // Act
    const environment = literalEnvironment(config);

    // Assess
    expect(environment).toEqual({ MODE: 'strict', LIMIT: '3' });
  });

  it('refuses two functions giving one variable different values, since they share process.env', () => {
    // Prepare
    const config = configWith([fn('a', 'echoHandler', { MODE: 'strict' }), fn('b', 'echoHandler', { MODE: 'lax' })]);

    // Act
    const act = () => literalEnvironment(config);

    // Assess
    expect(act).toThrow('functions set MODE to different values');
  });
});
