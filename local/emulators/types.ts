// What every emulated AWS service looks like to the single local AWS endpoint (local/awsEndpoint.ts).

export interface EmulatorResponse {
  status: number;
  body: unknown;
}

export interface ServiceEmulator {
  /** The X-Amz-Target prefix before the dot, e.g. `AWSStepFunctions` or `SWBExternalService`. */
  readonly targetPrefix: string;
  /** The service's name in LOCAL_FAULTS, e.g. `sso-admin`, `proton`, `states`. */
  readonly serviceName: string;
  /** The awsJson content type the service answers with (`application/x-amz-json-1.0` or `-1.1`). */
  readonly contentType: string;
  handle(operation: string, input: unknown): Promise<EmulatorResponse>;
}

/** An error as AWS returns it over the awsJson protocols: HTTP 400/500 with `__type` and `message`. */
export class AwsServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly status: number = 400,
    /** Members the service's error shape declares beyond the message, e.g. Identity Store's `ResourceType`. */
    readonly fields: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = name;
  }
}

export const errorResponse = (error: AwsServiceError): EmulatorResponse => ({
  status: error.status,
  body: { ...error.fields, __type: error.name, message: error.message },
});

/** Injectable time source so emulators can be tested without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Runs one named operation of an emulator: unknown names and AwsServiceErrors become awsJson error responses,
 * anything else is a bug in the emulator and propagates (the endpoint answers it with a 500 and logs it).
 */
export const runOperation = async <F>(
  operations: Record<string, F>,
  operation: string,
  call: (run: F) => unknown,
): Promise<EmulatorResponse> => {
  try {
    const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (!run) throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}`);
    return { status: 200, body: await call(run) };
  } catch (error) {
    if (error instanceof AwsServiceError) return errorResponse(error);
    throw error;
  }
};
