/**
 * `tunesmith.json`: the typed configuration and its defaults. Raw values (from a file, from editor
 * settings) become a `ResolvedConfig` through `resolveConfig`, which falls back to the default for any
 * value of the wrong type and says so, instead of failing: a typo in one setting must not switch the
 * linter off. The JSON Schema editors use is `schemas/tunesmith.schema.json`; a test keeps the two in step.
 */
import type { RuleFamily, SeveritySetting } from './types.ts';

export type TokenizerSetting = 'o200k_base' | 'cl100k_base' | { tokenizerJson: string };

export interface ResolvedConfig {
  /** Severity by rule code (`pii/email`) or family (`pii`); the code wins over the family. */
  rules: Record<string, SeveritySetting>;
  files: { include: string[]; exclude: string[] };
  /** Lines longer than this (in characters) are reported and not otherwise linted. */
  maxLineLength: number;
  chat: {
    allowedRoles: string[];
    allowedMessageKeys: string[];
  };
  tokens: {
    /** Examples over this many tokens "will be truncated" by most trainers. */
    max: number;
    tokenizer: TokenizerSetting;
  };
  consistency: {
    /** Estimated Jaccard similarity of word shingles at or above which two examples are near-duplicates. */
    nearDuplicateThreshold: number;
    /** Answers are treated as labels when the file has at most this many distinct answers. */
    maxLabelClasses: number;
    /** A length is an outlier when it is this many median absolute deviations from the median. */
    lengthOutlierMads: number;
  };
  pii: {
    /** Values never reported: exact values, or domains (`example.com`) for emails and URLs. */
    allow: string[];
    /** Region used to read phone numbers written without a country code. */
    defaultPhoneRegion: string;
  };
  split: {
    /** Globs of training files and of validation files, for the leakage check. */
    train: string[];
    validation: string[];
  };
}

export const DEFAULT_CONFIG: ResolvedConfig = {
  rules: {},
  files: { include: ['**/*.jsonl'], exclude: ['**/node_modules/**', '**/.tunesmith/**'] },
  maxLineLength: 1_000_000,
  chat: {
    allowedRoles: ['system', 'developer', 'user', 'assistant', 'tool', 'function'],
    allowedMessageKeys: [
      'role',
      'content',
      'name',
      'tool_calls',
      'tool_call_id',
      'function_call',
      'weight',
      'refusal',
      // What reasoning models' chat templates (Qwen3, DeepSeek-R1) render as the turn's thinking.
      'reasoning_content',
    ],
  },
  tokens: { max: 4096, tokenizer: 'o200k_base' },
  consistency: { nearDuplicateThreshold: 0.85, maxLabelClasses: 20, lengthOutlierMads: 8 },
  pii: { allow: ['example.com', 'example.org', 'example.net'], defaultPhoneRegion: 'US' },
  split: {
    train: ['**/*train*.jsonl'],
    validation: [
      '**/*val*.jsonl',
      '**/*valid*.jsonl',
      '**/*eval*.jsonl',
      '**/*dev*.jsonl',
      '**/*test*.jsonl',
    ],
  },
};

const SEVERITIES: readonly string[] = ['off', 'error', 'warning', 'info', 'hint'];

export interface ConfigResolution {
  config: ResolvedConfig;
  /** Human-readable problems with the raw configuration; each names the key and what was used instead. */
  problems: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Turns raw JSON into a full configuration; unknown or mistyped values fall back to the defaults. */
export function resolveConfig(raw: unknown): ConfigResolution {
  const problems: string[] = [];
  const config: ResolvedConfig = structuredClone(DEFAULT_CONFIG);
  if (raw === undefined || raw === null) return { config, problems };
  if (!isRecord(raw)) {
    return { config, problems: ['the configuration must be a JSON object; using the defaults'] };
  }

  const pick = <T>(
    path: string,
    value: unknown,
    accept: (v: unknown) => v is T,
    expected: string,
    assign: (v: T) => void,
  ): void => {
    if (value === undefined) return;
    if (accept(value)) assign(value);
    else problems.push(`${path}: expected ${expected}; using the default`);
  };
  const isPositiveNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const isUnitInterval = (v: unknown): v is number => typeof v === 'number' && v > 0 && v <= 1;
  const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

  if (raw['rules'] !== undefined) {
    if (isRecord(raw['rules'])) {
      for (const [key, value] of Object.entries(raw['rules'])) {
        if (typeof value === 'string' && SEVERITIES.includes(value))
          config.rules[key] = value as SeveritySetting;
        else problems.push(`rules.${key}: expected one of ${SEVERITIES.join(', ')}; using the default`);
      }
    } else problems.push('rules: expected an object of rule code to severity; using the defaults');
  }

  const files = isRecord(raw['files']) ? raw['files'] : {};
  pick(
    'files.include',
    files['include'],
    isStringArray,
    'an array of globs',
    (v) => (config.files.include = v),
  );
  pick(
    'files.exclude',
    files['exclude'],
    isStringArray,
    'an array of globs',
    (v) => (config.files.exclude = v),
  );
  pick(
    'maxLineLength',
    raw['maxLineLength'],
    isPositiveNumber,
    'a positive number',
    (v) => (config.maxLineLength = v),
  );

  const chat = isRecord(raw['chat']) ? raw['chat'] : {};
  pick(
    'chat.allowedRoles',
    chat['allowedRoles'],
    isStringArray,
    'an array of roles',
    (v) => (config.chat.allowedRoles = v),
  );
  pick('chat.allowedMessageKeys', chat['allowedMessageKeys'], isStringArray, 'an array of keys', (v) => {
    config.chat.allowedMessageKeys = v;
  });

  const tokens = isRecord(raw['tokens']) ? raw['tokens'] : {};
  pick('tokens.max', tokens['max'], isPositiveNumber, 'a positive number', (v) => (config.tokens.max = v));
  const tokenizer = tokens['tokenizer'];
  if (tokenizer === 'o200k_base' || tokenizer === 'cl100k_base') config.tokens.tokenizer = tokenizer;
  else if (isRecord(tokenizer) && isString(tokenizer['tokenizerJson'])) {
    config.tokens.tokenizer = { tokenizerJson: tokenizer['tokenizerJson'] };
  } else if (tokenizer !== undefined) {
    problems.push(
      'tokens.tokenizer: expected "o200k_base", "cl100k_base" or {"tokenizerJson": path}; using o200k_base',
    );
  }

  const consistency = isRecord(raw['consistency']) ? raw['consistency'] : {};
  pick(
    'consistency.nearDuplicateThreshold',
    consistency['nearDuplicateThreshold'],
    isUnitInterval,
    'a number in (0, 1]',
    (v) => {
      config.consistency.nearDuplicateThreshold = v;
    },
  );
  pick(
    'consistency.maxLabelClasses',
    consistency['maxLabelClasses'],
    isPositiveNumber,
    'a positive number',
    (v) => {
      config.consistency.maxLabelClasses = v;
    },
  );
  pick(
    'consistency.lengthOutlierMads',
    consistency['lengthOutlierMads'],
    isPositiveNumber,
    'a positive number',
    (v) => {
      config.consistency.lengthOutlierMads = v;
    },
  );

  const pii = isRecord(raw['pii']) ? raw['pii'] : {};
  pick(
    'pii.allow',
    pii['allow'],
    isStringArray,
    'an array of values or domains',
    (v) => (config.pii.allow = v),
  );
  pick('pii.defaultPhoneRegion', pii['defaultPhoneRegion'], isString, 'a region code such as "US"', (v) => {
    config.pii.defaultPhoneRegion = v;
  });

  const split = isRecord(raw['split']) ? raw['split'] : {};
  pick('split.train', split['train'], isStringArray, 'an array of globs', (v) => (config.split.train = v));
  pick(
    'split.validation',
    split['validation'],
    isStringArray,
    'an array of globs',
    (v) => (config.split.validation = v),
  );

  return { config, problems };
}

/** The severity in force for a rule: its code's setting, else its family's, else its default. */
export function severityOf(
  config: ResolvedConfig,
  code: string,
  family: RuleFamily,
  defaultSeverity: SeveritySetting,
): SeveritySetting {
  return config.rules[code] ?? config.rules[family] ?? defaultSeverity;
}
