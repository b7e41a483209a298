// The production wiring handlers pass to domain code: real clients, the table from config, the clock.
// Built lazily so a handler only touches the configuration it actually uses.
import { documentClient } from './clients/dynamodb.js';
import { config } from './config.js';
import { createRequestRepository, type RequestRepository } from '../requests/repository.js';

let repository: RequestRepository | undefined;

export const defaultRepository = (): RequestRepository =>
  (repository ??= createRequestRepository({ db: documentClient(), tableName: config.tableName() }));
