// Local DynamoDB: dynalite, persisted on disk, with the table created from serverless.yml's definition.
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { listen } from './listen.js';
import type { TableDefinition } from './serverlessConfig.js';

const require = createRequire(import.meta.url);
// dynalite is CommonJS without types; its factory returns a plain node http.Server.
const dynalite = require('dynalite') as (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

export interface LocalDynamo {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1. With `path`, data lives on disk there and survives restarts; without, in memory. */
export const startDynalite = async (options: { path?: string; port?: number } = {}): Promise<LocalDynamo> => {
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // The AWS endpoint reuses idle sockets to dynalite; see awsEndpoint.ts on why the keep-alive outlasts Node's 5 s.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const { url, port } = await listen(server, options.port ?? 0);
  return {
    endpoint: url,
    port,
    // Not listen's close: dynalite's own server.close waits for pending writes before closing the store on disk,
    // and dropping open connections first would cut those requests short.
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
};

/** CreateTable input for `tableName` from the CloudFormation table properties. */
export const createTableInput = (tableName: string, table: TableDefinition): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: table.properties.AttributeDefinitions,
  KeySchema: table.properties.KeySchema,
  GlobalSecondaryIndexes: table.properties.GlobalSecondaryIndexes?.map((gsi) => ({
    IndexName: gsi.IndexName,
    KeySchema: gsi.KeySchema,
    Projection: gsi.Projection,
  })),
});

export interface TimeToLiveDescription {
  TimeToLiveStatus: 'ENABLED' | 'DISABLED';
  AttributeName?: string;
}

/**
 * What DescribeTimeToLive answers in AWS for the table as serverless.yml defines it. dynalite has no TTL and answers
 * DISABLED, so the local AWS endpoint answers this instead. dynalite never deletes expired items either: locally an
 * item whose `ttl` has passed stays readable until something deletes it.
 */
export const timeToLiveOf = (table: TableDefinition): TimeToLiveDescription => {
  const specification = table.properties.TimeToLiveSpecification;
  return specification?.Enabled
    ? { TimeToLiveStatus: 'ENABLED', AttributeName: specification.AttributeName }
    : { TimeToLiveStatus: 'DISABLED' };
};

/** Creates the table unless it exists already (a restart on the same data directory). */
export const ensureTable = async (client: DynamoDBClient, tableName: string, table: TableDefinition): Promise<void> => {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName, table)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; i < 50; i += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
};
