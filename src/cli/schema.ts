/**
 * Builds the JSON Schema of `tunesmith.json` from DEFAULT_CONFIG and the rule registry, so that the
 * schema editors validate against cannot drift from what `resolveConfig` accepts. `npm run schema`
 * writes it to schemas/tunesmith.schema.json; a test fails when the file is stale.
 */
import { DEFAULT_CONFIG } from '../core/engine/config.ts';
import type { RuleFamily, RuleMeta } from '../core/engine/types.ts';
import { docsUrl } from '../core/engine/types.ts';

const FAMILIES: Record<RuleFamily, string> = {
  syntax: 'Lines that are not valid JSON.',
  format: 'Lines that do not match a fine-tuning format.',
  structure: 'Message lists a trainer would reject or misread.',
  consistency: 'Duplicates, drift and outliers across the file.',
  pii: 'Personal data: emails, phone numbers, card numbers and the like.',
  secrets: 'API keys, tokens and private keys.',
  tokens: 'Examples too long for the token budget.',
  split: 'Examples shared between training and validation files.',
};

type Schema = Record<string, unknown>;

const severity = (description: string, defaultValue?: string): Schema => ({
  description,
  enum: ['error', 'warning', 'info', 'hint', 'off'],
  ...(defaultValue !== undefined ? { default: defaultValue } : {}),
});

const globs = (description: string, value: string[]): Schema => ({
  description,
  type: 'array',
  items: { type: 'string' },
  default: value,
});

export function buildSchema(rules: readonly RuleMeta[]): Schema {
  const d = DEFAULT_CONFIG;
  const ruleProperties: Record<string, Schema> = {};
  for (const [family, description] of Object.entries(FAMILIES)) {
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
        description:
          'Severity by rule code (`pii/email`) or by family (`pii`); a code wins over its family. `off` disables a rule.',
        type: 'object',
        default: d.rules,
        properties: ruleProperties,
        additionalProperties: false,
      },
      files: {
        description: 'Which files `tunesmith lint DIRECTORY` and the editor lint.',
        type: 'object',
        additionalProperties: false,
        default: d.files,
        properties: {
          include: globs('Globs of files to lint, relative to the workspace.', d.files.include),
          exclude: globs('Globs of files and directories to skip.', d.files.exclude),
        },
      },
      maxLineLength: {
        description: 'Lines longer than this many characters are reported and not otherwise linted.',
        type: 'number',
        exclusiveMinimum: 0,
        default: d.maxLineLength,
      },
      chat: {
        description: 'The chat (messages) format.',
        type: 'object',
        additionalProperties: false,
        default: d.chat,
        properties: {
          allowedRoles: globs('Roles a message may have.', d.chat.allowedRoles),
          allowedMessageKeys: globs('Keys a message object may have.', d.chat.allowedMessageKeys),
        },
      },
      tokens: {
        description: 'Token counting.',
        type: 'object',
        additionalProperties: false,
        default: d.tokens,
        properties: {
          max: {
            description: 'Examples over this many tokens will be truncated by most trainers.',
            type: 'number',
            exclusiveMinimum: 0,
            default: d.tokens.max,
          },
          tokenizer: {
            description: 'The tokenizer: a built-in encoding, or a Hugging Face tokenizer.json file.',
            default: d.tokens.tokenizer,
            oneOf: [
              { enum: ['o200k_base', 'cl100k_base'] },
              {
                type: 'object',
                required: ['tokenizerJson'],
                additionalProperties: false,
                properties: {
                  tokenizerJson: {
                    type: 'string',
                    minLength: 1,
                    description: 'Path of a tokenizer.json file.',
                  },
                },
              },
            ],
          },
        },
      },
      consistency: {
        description: 'Duplicates, labels and outliers across a file.',
        type: 'object',
        additionalProperties: false,
        default: d.consistency,
        properties: {
          nearDuplicateThreshold: {
            description:
              'Estimated Jaccard similarity of word shingles at or above which two examples are near-duplicates.',
            type: 'number',
            exclusiveMinimum: 0,
            maximum: 1,
            default: d.consistency.nearDuplicateThreshold,
          },
          maxLabelClasses: {
            description:
              'Answers are treated as labels when the file has at most this many distinct answers.',
            type: 'number',
            exclusiveMinimum: 0,
            default: d.consistency.maxLabelClasses,
          },
          lengthOutlierMads: {
            description:
              'A length is an outlier when it is this many median absolute deviations from the median.',
            type: 'number',
            exclusiveMinimum: 0,
            default: d.consistency.lengthOutlierMads,
          },
        },
      },
      pii: {
        description: 'Personal data detection.',
        type: 'object',
        additionalProperties: false,
        default: d.pii,
        properties: {
          allow: globs(
            'Values never reported: exact values, or domains (example.com) for emails and URLs.',
            d.pii.allow,
          ),
          defaultPhoneRegion: {
            description: 'Region used to read phone numbers written without a country code.',
            type: 'string',
            minLength: 1,
            default: d.pii.defaultPhoneRegion,
          },
        },
      },
      split: {
        description: 'Training and validation files, for the leakage check.',
        type: 'object',
        additionalProperties: false,
        default: d.split,
        properties: {
          train: globs('Globs of training files.', d.split.train),
          validation: globs('Globs of validation files.', d.split.validation),
        },
      },
    },
  };
}
