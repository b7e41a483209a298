// The Step Functions client (StartExecution, SendTaskSuccess/Failure), in its own module so that only the
// functions that resume or start workflows bundle it. Created once per container, on first use.
import { SFNClient } from '@aws-sdk/client-sfn';
import { lazy } from './lazy.js';

export const sfnClient = lazy(() => new SFNClient({}));
