// The packaged CloudFormation template: what CloudFormation would reject, what ships in the zips, and what a
// reviewer's checks (cdk-nag's AwsSolutions and Serverless packs) report. The service is packaged once, here.
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CfnTemplate,
  danglingReferences,
  type Json,
  malformedIntrinsics,
  type TemplateProblem,
} from './cloudFormation.js';
import { acknowledgementsOf, nagFindings, reconcile } from './nag.js';
import { packagedFunctions, packageService, TEMPLATE_PATH, zipEntryNames } from './packagedService.js';

const PACKAGING_TIMEOUT_MS = 240_000;

const listed = (problems: TemplateProblem[]): string[] => problems.map((p) => `${p.path}: ${p.problem}`);

// Actions the Service Authorization Reference lists with no resource type, so a policy can only grant them on "*".
// Any other action on "*" fails below, even on a role whose `Resource::*` finding is acknowledged for these.
const STAR_ONLY_ACTIONS = new Set([
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
  // The directory's discovery reads (custom.directoryReads in serverless.yml):
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiamidentitycenter.html
  'sso:ListInstances',
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
  'organizations:ListRoots',
  // The catalog's Proton entry: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsproton.html
  'proton:ListEnvironmentAccountConnections',
  // Step Functions logging: https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
}

const roleStatements = (template: CfnTemplate): Array<{ role: string; statement: Statement }> =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .flatMap(([role, r]) =>
      ((r.Properties?.Policies ?? []) as unknown as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
        (policy) => policy.PolicyDocument.Statement.map((statement) => ({ role, statement })),
      ),
    );

describe('template checks (on templates made for the purpose)', () => {
  it('flag an intrinsic function object with two keys, as osls once merged HttpApiUrl', () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: { HttpApi: { Type: 'AWS::ApiGatewayV2::Api' } },
      Outputs: {
        HttpApiUrl: {
          Value: {
            'Fn::Join': ['', ['https://', { Ref: 'HttpApi' }]],
            'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}',
          },
        },
      },
    };
    // Act
    const problems = malformedIntrinsics(template);
    // Assess
    expect(problems).toEqual([{ path: 'Outputs.HttpApiUrl.Value', problem: expect.stringContaining('exactly one') }]);
  });

  it('flag references to nothing, and accept pseudo-parameters, Fn::Sub variables and ${!literals}', () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table' },
        Role: {
          Type: 'AWS::IAM::Role',
          DependsOn: ['Gone'],
          Properties: {
            A: { Ref: 'Missing' },
            B: { 'Fn::GetAtt': ['Nowhere', 'Arn'] },
            C: { 'Fn::Sub': '${Table.Arn}/index/* ${AWS::Region} ${!Literal} ${Absent} ${Ghost.Arn}' },
            D: { 'Fn::Sub': ['${Given}-${Table}', { Given: 'x' }] },
            E: { 'Fn::If': ['Cond', { Ref: 'AWS::NoValue' }, { 'Fn::Not': [{ Condition: 'Cond', Extra: 1 }] }] },
          },
        },
      },
    };
    // Act
    const dangling = listed(danglingReferences(template));
    const malformed = listed(malformedIntrinsics(template));
    // Assess
    expect(dangling).toEqual([
      'Resources.Role.DependsOn: no resource "Gone"',
      'Resources.Role.Properties.A: Ref names "Missing", which is no resource, parameter or pseudo-parameter',
      'Resources.Role.Properties.B: Fn::GetAtt names "Nowhere", which is no resource',
      'Resources.Role.Properties.C: Fn::Sub names ${Absent}, which the template does not define',
      'Resources.Role.Properties.C: Fn::Sub names ${Ghost.Arn}, which the template does not define',
    ]);
    expect(malformed).toEqual([
      expect.stringMatching(/^Resources\.Role\.Properties\.E\.Fn::If\[2\]\.Fn::Not\[0\]: .*"Condition", "Extra"/),
    ]);
  });
});

describe('reconciling cdk-nag findings with the acknowledgements in Metadata', () => {
  it('covers a finding only with its exact id on its resource, and reports acknowledgements that match nothing', () => {
    // Prepare
    const finding = (resource: string, rule: string) => ({
      plugin: 'AwsSolutions',
      rule,
      severity: 'error',
      resource,
      message: '',
    });
    const template: CfnTemplate = {
      Resources: {
        RoleA: {
          Type: 'AWS::IAM::Role',
          Metadata: {
            cdk_nag: {
              rules_to_suppress: [
                {
                  id: 'AwsSolutions-IAM5',
                  reason: 'X-Ray accepts only a wildcard resource',
                  appliesTo: ['Resource::*'],
                },
                { id: 'AwsSolutions-IAM5', reason: 'a stale acknowledgement', appliesTo: ['Resource::gone/*'] },
              ],
            },
          },
        },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Metadata: { cdk_nag: { rules_to_suppress: [{ id: 'Serverless-LambdaDLQ', reason: 'sync' }] } },
        },
      },
    };
    const findings = [
      finding('RoleA', 'AwsSolutions-IAM5[Resource::*]'),
      finding('RoleA', 'AwsSolutions-IAM5[Resource::new/*]'),
      finding('RoleB', 'AwsSolutions-IAM5[Resource::*]'),
      finding('Fn', 'Serverless-LambdaDLQ'),
    ];
    // Act
    const { unacknowledged, unused } = reconcile(findings, acknowledgementsOf(template));
    // Assess
    expect(unacknowledged.map(({ resource, rule }) => `${resource} ${rule}`)).toEqual([
      'RoleA AwsSolutions-IAM5[Resource::new/*]',
      'RoleB AwsSolutions-IAM5[Resource::*]',
    ]);
    expect(unused.map(({ logicalId, id }) => `${logicalId} ${id}`)).toEqual([
      'RoleA AwsSolutions-IAM5[Resource::gone/*]',
    ]);
  });
});

describe('the packaged template', () => {
  let template: CfnTemplate;

  beforeAll(async () => {
    template = await packageService();
  }, PACKAGING_TIMEOUT_MS);

  it('has exactly one key in every intrinsic function object', () => {
    // Assess
    expect(listed(malformedIntrinsics(template))).toEqual([]);
  });

  it('references only resources, parameters and pseudo-parameters that exist', () => {
    // Assess
    expect(listed(danglingReferences(template))).toEqual([]);
  });

  it('ships in each zip the policy file that POLICY_FILE names, and no local policy or fixtures', () => {
    // Prepare
    const functions = packagedFunctions(template);
    // Act
    const contents = functions.map(({ logicalId, zipPath, environment }) => ({
      logicalId,
      policyFile: environment.POLICY_FILE,
      entries: zipEntryNames(zipPath),
    }));
    // Assess
    expect(contents.length).toBeGreaterThan(0);
    for (const { logicalId, policyFile, entries } of contents) {
      expect({ logicalId, policyFile: typeof policyFile }).toEqual({ logicalId, policyFile: 'string' });
      expect({ logicalId, shipsPolicyFile: entries.includes(String(policyFile)) }).toEqual({
        logicalId,
        shipsPolicyFile: true,
      });
      expect({
        logicalId,
        local: entries.filter((e) => /^config\/(policy\.local|local-fixtures[^/]*)\.json$/.test(e)),
      }).toEqual({ logicalId, local: [] });
    }
  });

  it('gives every function a role of its own, never the shared default role', () => {
    // Prepare
    const roles = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([logicalId, r]) => ({
        logicalId,
        role: (r.Properties?.Role as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0],
      }));
    // Assess
    for (const { logicalId, role } of roles) {
      expect({ logicalId, role }).toEqual({
        logicalId,
        role: logicalId.replace(/LambdaFunction$/, 'IamRoleLambdaExecution'),
      });
    }
  });

  it('grants on "*" only actions that accept no resource type', () => {
    // Act
    const starGrants = roleStatements(template)
      .filter(({ statement }) => [statement.Resource].flat().includes('*'))
      .flatMap(({ role, statement }) => [statement.Action].flat().map((action) => `${role}: ${action}`));
    // Assess
    expect(starGrants.length).toBeGreaterThan(0);
    expect(starGrants.filter((grant) => !STAR_ONLY_ACTIONS.has(grant.split(': ')[1] ?? ''))).toEqual([]);
  });

  it('gives a reason with every cdk-nag acknowledgement', () => {
    // Act
    const acknowledgements = acknowledgementsOf(template);
    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    expect(acknowledgements.filter(({ reason }) => reason.trim().length < 40)).toEqual([]);
  });

  it('logs every state machine transition without execution data, which would put task tokens in CloudWatch', () => {
    // Prepare
    const stateMachines = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    // Assess
    expect(stateMachines.length).toBeGreaterThan(0);
    for (const [logicalId, r] of stateMachines) {
      expect({
        logicalId,
        logging: r.Properties?.LoggingConfiguration,
        tracing: r.Properties?.TracingConfiguration,
      }).toEqual({
        logicalId,
        logging: expect.objectContaining({ Level: 'ALL', IncludeExecutionData: false }),
        tracing: { Enabled: true },
      });
    }
  });

  it('traces every function with X-Ray', () => {
    // Act
    const untraced = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .filter(([, r]) => (r.Properties?.TracingConfig as { Mode?: string } | undefined)?.Mode !== 'Active')
      .map(([logicalId]) => logicalId);
    // Assess
    expect(untraced).toEqual([]);
  });

  it(
    'passes cdk-nag (AwsSolutions and Serverless packs) and CloudFormation validation, except what it acknowledges',
    () => {
      // Act
      const { unacknowledged, unused } = reconcile(nagFindings(TEMPLATE_PATH), acknowledgementsOf(template));
      // Assess
      expect(
        unacknowledged
          .filter(({ severity }) => severity === 'error')
          .map(({ rule, resource, message }) => `${rule} on ${resource}: ${message}`),
      ).toEqual([]);
      expect(unused.map(({ logicalId, id }) => `${id} on ${logicalId} matches no finding`)).toEqual([]);
    },
    PACKAGING_TIMEOUT_MS,
  );
});
