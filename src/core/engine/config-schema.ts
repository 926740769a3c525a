/**
 * The two generated descriptions of `tunesmith.json`, both derived from the declarations in
 * `rules/declarations.ts` and the rule registry: the JSON Schema editors validate the file against
 * (`schemas/tunesmith.schema.json`) and the editor settings that mirror it (`contributes.configuration`
 * in package.json). `npm run schema` writes both; a test fails when either is stale.
 */
import { FAMILIES, OPTIONS } from '../rules/declarations.ts';
import { defaultsOf, optionPaths, type JsonSchema, type Options } from './options.ts';
import type { RuleMeta } from './types.ts';
import { docsUrl } from './types.ts';

const SEVERITY_ENUM = ['error', 'warning', 'info', 'hint', 'off'];
const RULES_DESCRIPTION =
  'Severity by rule code (`pii/email`) or by family (`pii`); a code wins over its family. `off` disables a rule.';

const severity = (description: string, defaultValue?: string): JsonSchema => ({
  description,
  enum: SEVERITY_ENUM,
  ...(defaultValue !== undefined ? { default: defaultValue } : {}),
});

function propertiesOf(options: Options): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [key, declaration] of Object.entries(options)) {
    out[key] =
      declaration.kind === 'option'
        ? { description: declaration.description, ...declaration.schema, default: declaration.default }
        : {
            description: declaration.description,
            type: 'object',
            additionalProperties: false,
            default: defaultsOf(declaration.options),
            properties: propertiesOf(declaration.options),
          };
  }
  return out;
}

export function buildSchema(rules: readonly RuleMeta[]): JsonSchema {
  const ruleProperties: Record<string, JsonSchema> = {};
  for (const [family, { description }] of Object.entries(FAMILIES)) {
    ruleProperties[family] = severity(`Every ${family}/* rule. ${description}`);
  }
  for (const rule of [...rules].sort((a, b) => a.code.localeCompare(b.code))) {
    ruleProperties[rule.code] = {
      ...severity(`${rule.description} (${docsUrl(rule.code)})`, rule.defaultSeverity),
      markdownDescription: `${rule.description}\n\n[Documentation](${docsUrl(rule.code)})`,
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/tunesmith/tunesmith/blob/main/schemas/tunesmith.schema.json',
    title: 'Tunesmith configuration (tunesmith.json)',
    description:
      'Configures the Tunesmith linter for JSONL fine-tuning data. Every key is optional; a value of the wrong type falls back to its default with a warning.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      rules: {
        description: RULES_DESCRIPTION,
        type: 'object',
        default: {},
        properties: ruleProperties,
        additionalProperties: false,
      },
      ...propertiesOf(OPTIONS),
    },
  };
}

/**
 * `contributes.configuration.properties` entries for every `tunesmith.json` key, `tunesmith.` + its
 * dotted path. `rules` takes any key here: VS Code's Settings page has no use for 80 rule properties, and
 * `tunesmith.json`'s schema names them.
 */
export function buildSettings(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {
    'tunesmith.rules': {
      type: 'object',
      default: {},
      markdownDescription: `${RULES_DESCRIPTION} Same as \`rules\` in \`tunesmith.json\`.`,
      additionalProperties: { type: 'string', enum: SEVERITY_ENUM },
      scope: 'resource',
    },
  };
  for (const [path, declaration] of optionPaths(OPTIONS)) {
    out[`tunesmith.${path}`] = {
      ...declaration.schema,
      default: declaration.default,
      ...(declaration.settingDescription !== undefined
        ? { markdownDescription: declaration.settingDescription }
        : { description: declaration.description }),
      scope: 'resource',
    };
  }
  return out;
}
