// Reads serverless.yml, the single source of truth for routes, functions, the table and the state machine.
// The local stack derives everything from here so it can never drift from what is deployed.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface HttpRoute {
  functionName: string;
  method: string;
  path: string;
  /** Whether API Gateway puts the JWT authorizer in front of this route. */
  authorized: boolean;
}

export interface FunctionDefinition {
  name: string;
  /** Path of the handler module relative to the project root, without extension (e.g. functions/submit). */
  modulePath: string;
  exportName: string;
  environment: Record<string, unknown>;
  /** The function's own `timeout` in seconds, when serverless.yml gives one (else the provider's applies). */
  timeoutSeconds?: number;
}

export interface TableDefinition {
  logicalId: string;
  properties: {
    AttributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' | 'N' | 'B' }>;
    KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
    GlobalSecondaryIndexes?: Array<{
      IndexName: string;
      KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
      Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
    }>;
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  };
}

/** A DefinitionSubstitutions value: a CloudFormation reference the local stack resolves to a local name. */
export type Substitution = { kind: 'function'; functionName: string } | { kind: 'table'; logicalId: string };

export interface StateMachineDefinitionSource {
  logicalId: string;
  definition: Record<string, unknown>;
  substitutions: Record<string, Substitution>;
}

export interface ServerlessConfig {
  service: string;
  functions: FunctionDefinition[];
  routes: HttpRoute[];
  table: TableDefinition;
  stateMachine: StateMachineDefinitionSource;
}

type Doc = Record<string, unknown>;

const asDoc = (value: unknown, where: string): Doc => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`serverless.yml: expected an object at ${where}`);
  }
  return value as Doc;
};

// serverless resolves `${file(x)}` at package time; locally we do the same for the state machine definition.
const resolveFileVariable = (value: unknown, root: string): unknown => {
  if (typeof value === 'string') {
    const match = /^\$\{file\((.+)\)\}$/.exec(value.trim());
    if (match?.[1]) return JSON.parse(readFileSync(join(root, match[1]), 'utf8')) as unknown;
  }
  return value;
};

// Serverless names a function's CloudFormation resource `<Name>LambdaFunction`, with the first letter upper-cased.
const functionLogicalId = (name: string): string => `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;

const parseSubstitution = (key: string, value: unknown, functionsByLogicalId: Map<string, string>): Substitution => {
  const doc = asDoc(value, `DefinitionSubstitutions.${key}`);
  const getAtt = doc['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    const functionName = functionsByLogicalId.get(getAtt[0]);
    if (!functionName) throw new Error(`serverless.yml: substitution ${key} references unknown function ${getAtt[0]}`);
    return { kind: 'function', functionName };
  }
  if (typeof doc.Ref === 'string') return { kind: 'table', logicalId: doc.Ref };
  throw new Error(`serverless.yml: substitution ${key} must be Fn::GetAtt of a function or Ref of the table`);
};

export const loadServerlessConfig = (root: string = projectRoot): ServerlessConfig => {
  const doc = asDoc(parse(readFileSync(join(root, 'serverless.yml'), 'utf8')), 'top level');
  const functionsDoc = asDoc(doc.functions, 'functions');
  const functions: FunctionDefinition[] = [];
  const routes: HttpRoute[] = [];
  for (const [name, raw] of Object.entries(functionsDoc)) {
    const fn = asDoc(raw, `functions.${name}`);
    const handler = String(fn.handler);
    const dot = handler.lastIndexOf('.');
    functions.push({
      name,
      modulePath: handler.slice(0, dot),
      exportName: handler.slice(dot + 1),
      environment: fn.environment ? asDoc(fn.environment, `functions.${name}.environment`) : {},
      ...(typeof fn.timeout === 'number' ? { timeoutSeconds: fn.timeout } : {}),
    });
    for (const event of (fn.events as unknown[] | undefined) ?? []) {
      const httpApi = asDoc(event, `functions.${name}.events`).httpApi;
      if (!httpApi) continue;
      const route = asDoc(httpApi, `functions.${name}.events.httpApi`);
      routes.push({
        functionName: name,
        method: String(route.method).toUpperCase(),
        path: String(route.path),
        authorized: route.authorizer !== undefined,
      });
    }
  }

  const resources = asDoc(
    asDoc(asDoc(doc.resources, 'resources').Resources, 'resources.Resources'),
    'resources.Resources',
  );
  const byType = (type: string): Array<[string, Doc]> =>
    Object.entries(resources)
      .map(([id, r]) => [id, asDoc(r, `resources.Resources.${id}`)] as [string, Doc])
      .filter(([, r]) => r.Type === type);

  const [tableEntry] = byType('AWS::DynamoDB::Table');
  if (!tableEntry) throw new Error('serverless.yml: no AWS::DynamoDB::Table resource');
  const [smEntry] = byType('AWS::StepFunctions::StateMachine');
  if (!smEntry) throw new Error('serverless.yml: no AWS::StepFunctions::StateMachine resource');

  const smProps = asDoc(smEntry[1].Properties, `${smEntry[0]}.Properties`);
  const functionsByLogicalId = new Map(functions.map((f) => [functionLogicalId(f.name), f.name]));
  const substitutions: Record<string, Substitution> = {};
  for (const [key, value] of Object.entries(asDoc(smProps.DefinitionSubstitutions ?? {}, 'DefinitionSubstitutions'))) {
    substitutions[key] = parseSubstitution(key, value, functionsByLogicalId);
  }

  return {
    service: String(doc.service),
    functions,
    routes,
    table: {
      logicalId: tableEntry[0],
      properties: asDoc(tableEntry[1].Properties, 'table') as unknown as TableDefinition['properties'],
    },
    stateMachine: {
      logicalId: smEntry[0],
      definition: asDoc(resolveFileVariable(smProps.Definition, root), 'state machine Definition'),
      substitutions,
    },
  };
};

/** Applies DefinitionSubstitutions (`${Name}`) the way Step Functions does, from already-resolved values. */
export const substituteDefinition = (
  definition: Record<string, unknown>,
  values: Record<string, string>,
): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => values[name] ?? whole),
  ) as Record<string, unknown>;
