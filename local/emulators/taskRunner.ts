// Executes a Task state's Resource on this machine, with the results and error names Step Functions would give:
// Lambda integrations go to the local handlers, DynamoDB integrations to the real (local) DynamoDB.
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  type GetItemCommandInput,
  type PutItemCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { isRecord } from './validation.js';

export type InvokeLambda = (functionName: string, payload: unknown) => Promise<unknown>;

export interface TaskRunner {
  /** Runs one Task state's resource with its already-processed Parameters. Rejects with an Error whose `name` is the ASL error name. */
  run(resource: string, parameters: unknown): Promise<unknown>;
}

const namedError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

const lambdaArn = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;
const serviceIntegration = /^arn:aws[a-z-]*:states:::([a-z0-9-]+):([A-Za-z]+)(\.waitForTaskToken)?$/;

const functionName = (nameOrArn: string): string => lambdaArn.exec(nameOrArn)?.[1] ?? nameOrArn;

// A Lambda result crosses a JSON boundary in AWS (undefined becomes null, Dates become strings); so does ours.
// A thrown error becomes the function's errorType, with the runtime's error document as the Cause.
const invoke = async (invokeLambda: InvokeLambda, name: string, payload: unknown): Promise<unknown> => {
  let result: unknown;
  try {
    result = await invokeLambda(name, payload);
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    throw namedError(error.name, JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] }));
  }
  return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
};

type DynamoAction = (input: Record<string, unknown>) => Promise<{ $metadata: unknown }>;

// The integration's PascalCase parameters are exactly the low-level API's input.
const dynamoActions = (db: DynamoDBClient): Record<string, DynamoAction> => ({
  putItem: (input) => db.send(new PutItemCommand(input as unknown as PutItemCommandInput)),
  updateItem: (input) => db.send(new UpdateItemCommand(input as unknown as UpdateItemCommandInput)),
  getItem: (input) => db.send(new GetItemCommand(input as unknown as GetItemCommandInput)),
  deleteItem: (input) => db.send(new DeleteItemCommand(input as unknown as DeleteItemCommandInput)),
});

const isServiceException = (error: unknown): error is Error & { $metadata: { httpStatusCode?: number } } =>
  error instanceof Error && '$metadata' in error;

const callDynamo = async (action: DynamoAction, parameters: Record<string, unknown>): Promise<unknown> => {
  try {
    const { $metadata: _metadata, ...result } = await action(parameters);
    return result;
  } catch (error) {
    if (!isServiceException(error)) throw error;
    // Step Functions prefixes the service's exception name and appends the service's error details to the Cause.
    const status = error.$metadata.httpStatusCode ?? 400;
    throw namedError(
      `DynamoDB.${error.name}`,
      `${error.message} (Service: DynamoDb, Status Code: ${status}, Error Code: ${error.name})`,
    );
  }
};

export const createTaskRunner = (options: { invokeLambda: InvokeLambda; dynamodb: DynamoDBClient }): TaskRunner => {
  const dynamo = dynamoActions(options.dynamodb);
  return {
    async run(resource, parameters) {
      if (lambdaArn.test(resource)) return invoke(options.invokeLambda, functionName(resource), parameters);
      const [, service, action = '', callback] = serviceIntegration.exec(resource) ?? [];
      const input = isRecord(parameters) ? parameters : {};
      if (service === 'lambda' && action === 'invoke') {
        if (typeof input.FunctionName !== 'string') {
          throw namedError('States.Runtime', `${resource} needs a FunctionName parameter`);
        }
        const payload = await invoke(options.invokeLambda, functionName(input.FunctionName), input.Payload ?? {});
        return { Payload: payload, StatusCode: 200, ExecutedVersion: '$LATEST' };
      }
      const dynamoAction =
        service === 'dynamodb' && !callback && Object.hasOwn(dynamo, action) ? dynamo[action] : undefined;
      if (dynamoAction) return callDynamo(dynamoAction, input);
      throw namedError(
        'Local.UnsupportedResource',
        `The local Step Functions engine cannot run Task resource ${resource}`,
      );
    },
  };
};
