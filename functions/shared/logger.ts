// One structured logger for every function. Log lines carry ids (request id, approver), never payloads:
// payloads can hold task tokens and signed links, which are secrets.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'access-approvals' });
