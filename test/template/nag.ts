// Runs cdk-nag's AwsSolutions and Serverless packs over the packaged template, read into a CDK app through
// CfnInclude. The acknowledgements live in the template itself, as each resource's Metadata
// (`cdk_nag.rules_to_suppress: [{ id, reason, appliesTo? }]`, cdk-nag v2's format, which reviewers and other tools
// read). cdk-nag 3 does not read that Metadata: it takes acknowledgements only through CDK's Validations API, and
// drops what they cover without a trace. So the packs run with none, and the findings are matched to the Metadata
// here, by the same rule cdk-nag 3 applies (the exact finding id on the resource; `appliesTo` becomes its
// `Rule[finding]` id, one wildcard at a time). That way an acknowledgement that no longer matches anything is seen too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { CfnTemplate, Json } from './cloudFormation.js';

export interface Acknowledgement {
  logicalId: string;
  /** The rule id as cdk-nag 3 reports it: `AwsSolutions-IAM5[Resource::*]` for one finding of a wildcard rule. */
  id: string;
  reason: string;
}

export interface Finding {
  plugin: string;
  rule: string;
  severity: string;
  /** The template's logical id, or the construct path when the finding is not about one resource. */
  resource: string;
  message: string;
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The acknowledgements written in the template's Metadata. A malformed one throws: it would silently not apply. */
export const acknowledgementsOf = (template: CfnTemplate): Acknowledgement[] =>
  Object.entries(template.Resources).flatMap(([logicalId, resource]) => {
    const nag = resource.Metadata?.cdk_nag;
    if (nag === undefined) return [];
    const rules = isObject(nag) ? nag.rules_to_suppress : undefined;
    if (!Array.isArray(rules)) throw new Error(`${logicalId}: Metadata.cdk_nag.rules_to_suppress must be a list`);
    return rules.flatMap((rule) => {
      if (!isObject(rule) || typeof rule.id !== 'string' || typeof rule.reason !== 'string') {
        throw new Error(`${logicalId}: every rules_to_suppress entry needs an id and a reason`);
      }
      const { id, reason, appliesTo } = rule;
      if (appliesTo === undefined) return [{ logicalId, id, reason }];
      if (!Array.isArray(appliesTo) || !appliesTo.every((finding) => typeof finding === 'string')) {
        throw new Error(`${logicalId}: appliesTo of ${id} must list findings as strings (no regex)`);
      }
      return appliesTo.map((finding) => ({ logicalId, id: `${id}[${finding}]`, reason }));
    });
  });

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{
      ruleName: string;
      description: string;
      severity: string;
      violatingConstructs: Array<{ constructPath?: string }>;
    }>;
  }>;
}

const STACK_ID = 'Service';
const INCLUDE_ID = 'Template';

/**
 * Every finding of cdk-nag's two packs, and of CDK's built-in CloudFormation validation (with its default rules as
 * errors: it is what catches an Output whose Value is not a string), before any acknowledgement.
 */
export const nagFindings = (templatePath: string): Finding[] => {
  const outdir = mkdtempSync(join(tmpdir(), 'access-approvals-nag-'));
  try {
    const app = new App({
      outdir,
      context: {
        // Report, do not throw: the report file is read below, so every finding is listed at once.
        '@aws-cdk/core:failSynthOnValidationErrors': false,
        '@aws-cdk/core:validateAgainstDefaultRules': true,
      },
    });
    new CfnInclude(new Stack(app, STACK_ID), INCLUDE_ID, { templateFile: templatePath });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    app.synth();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
    const prefix = `${STACK_ID}/${INCLUDE_ID}/`;
    return report.pluginReports.flatMap(({ pluginName, violations }) =>
      violations.flatMap(({ ruleName, description, severity, violatingConstructs }) =>
        violatingConstructs.map(({ constructPath = STACK_ID }) => ({
          plugin: pluginName,
          rule: ruleName,
          severity,
          resource: constructPath.startsWith(prefix) ? constructPath.slice(prefix.length) : constructPath,
          message: description,
        })),
      ),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

/** The findings no acknowledgement covers, and the acknowledgements that cover no finding (stale, or mistyped). */
export const reconcile = (
  findings: readonly Finding[],
  acknowledgements: readonly Acknowledgement[],
): { unacknowledged: Finding[]; unused: Acknowledgement[] } => {
  const key = (resource: string, rule: string): string => `${resource} ${rule}`;
  const acknowledged = new Set(acknowledgements.map(({ logicalId, id }) => key(logicalId, id)));
  const found = new Set(findings.map(({ resource, rule }) => key(resource, rule)));
  return {
    unacknowledged: findings.filter(({ resource, rule }) => !acknowledged.has(key(resource, rule))),
    unused: acknowledgements.filter(({ logicalId, id }) => !found.has(key(logicalId, id))),
  };
};
