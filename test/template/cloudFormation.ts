// Structural checks of a CloudFormation template that CloudFormation itself would only make at deploy time:
// intrinsic-function objects with exactly one key, and references to things that exist.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CfnTemplate {
  Parameters?: Record<string, Json>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, Json>;
}

export interface CfnResource {
  Type: string;
  Properties?: { [key: string]: Json };
  Metadata?: { [key: string]: Json };
  DependsOn?: string | string[];
  Condition?: string;
}

/** One defect, with where it is in the template (a path of keys). */
export interface TemplateProblem {
  path: string;
  problem: string;
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

// Condition functions take condition objects as arguments; only there is `{ "Condition": name }` an intrinsic.
const CONDITION_FUNCTIONS = new Set(['Fn::And', 'Fn::Or', 'Fn::Not']);

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const isIntrinsicKey = (key: string): boolean => key === 'Ref' || key.startsWith('Fn::');

/** `${Name}` and `${Name.Attr}` inside an Fn::Sub string; `${!Literal}` is an escaped literal, not a reference. */
export const subReferences = (text: string): string[] =>
  [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] ?? '').filter((name) => !name.startsWith('!'));

/** Every intrinsic-function object (`Ref`, `Fn::*`, and `Condition` inside a condition function) must have one key. */
export const malformedIntrinsics = (template: CfnTemplate): TemplateProblem[] => {
  const problems: TemplateProblem[] = [];
  const walk = (value: Json | undefined, path: string, conditionArgument: boolean): void => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`, conditionArgument);
      return;
    }
    if (!isObject(value)) return;
    const keys = Object.keys(value);
    const intrinsicKeys = keys.filter((k) => isIntrinsicKey(k) || (conditionArgument && k === 'Condition'));
    if (intrinsicKeys.length > 0 && keys.length !== 1) {
      problems.push({
        path,
        problem: `an intrinsic function object must have exactly one key, found ${keys.map((k) => `"${k}"`).join(', ')}`,
      });
    }
    for (const key of keys) walk(value[key], `${path}.${key}`, CONDITION_FUNCTIONS.has(key));
  };
  for (const section of ['Conditions', 'Resources', 'Outputs'] as const) {
    walk(template[section] as Json | undefined, section, false);
  }
  return problems;
};

/** Every Ref, Fn::GetAtt, Fn::Sub variable, DependsOn and Condition names something the template defines. */
export const danglingReferences = (template: CfnTemplate): TemplateProblem[] => {
  const resources = new Set(Object.keys(template.Resources));
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const problems: TemplateProblem[] = [];
  const refTargetExists = (name: string): boolean =>
    resources.has(name) || parameters.has(name) || PSEUDO_PARAMETERS.has(name);

  const checkSub = (text: string, variables: ReadonlySet<string>, path: string): void => {
    for (const name of subReferences(text)) {
      const [target = '', attribute] = name.split(/\.(.*)/s);
      const exists = attribute === undefined ? variables.has(name) || refTargetExists(name) : resources.has(target);
      if (!exists) problems.push({ path, problem: `Fn::Sub names \${${name}}, which the template does not define` });
    }
  };

  const walk = (value: Json | undefined, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`);
      return;
    }
    if (!isObject(value)) return;
    const ref = value.Ref;
    if (typeof ref === 'string' && !refTargetExists(ref)) {
      problems.push({ path, problem: `Ref names "${ref}", which is no resource, parameter or pseudo-parameter` });
    }
    const getAtt = value['Fn::GetAtt'];
    if (getAtt !== undefined) {
      const target = Array.isArray(getAtt) ? getAtt[0] : typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
      if (typeof target !== 'string' || !resources.has(target)) {
        problems.push({ path, problem: `Fn::GetAtt names ${JSON.stringify(target)}, which is no resource` });
      }
    }
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') checkSub(sub, new Set(), path);
    if (Array.isArray(sub) && typeof sub[0] === 'string') {
      checkSub(sub[0], new Set(isObject(sub[1]) ? Object.keys(sub[1]) : []), path);
    }
    for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
  };

  for (const [id, resource] of Object.entries(template.Resources)) {
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const name of dependsOn) {
      if (!resources.has(name)) problems.push({ path: `Resources.${id}.DependsOn`, problem: `no resource "${name}"` });
    }
    if (resource.Condition !== undefined && !conditions.has(resource.Condition)) {
      problems.push({ path: `Resources.${id}.Condition`, problem: `no condition "${resource.Condition}"` });
    }
    walk(resource.Properties, `Resources.${id}.Properties`);
  }
  walk(template.Outputs as Json | undefined, 'Outputs');
  walk(template.Conditions as Json | undefined, 'Conditions');
  return problems;
};
