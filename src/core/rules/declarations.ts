/**
 * Rule families and every option of `tunesmith.json`, declared once. Everything else derives from here:
 * the `RuleFamily` type, `ResolvedConfig` and `DEFAULT_CONFIG`, what `resolveConfig` accepts, the
 * settings the extension forwards (`SETTING_KEYS`), `schemas/tunesmith.schema.json` and the manifest's
 * `contributes.configuration` (both written by `npm run schema`; a test fails when they are stale).
 * Options are grouped by the family that reads them, as ruff groups its options by linter.
 *
 * A rule is its metadata (`RuleMeta`: code `family/name`, description, default severity, fixable) on a
 * checker in `rules/<family>/`, listed in `rules/index.ts`, and a page `docs/rules/<family>-<name>.md`
 * (its docs link derives from the code). A rule across files (`split/leakage`) is a workspace checker
 * (`engine/rule.ts`): its declaration names where its facts come from (a dataset checker's line facts,
 * or the semantic pass's embeddings) and its index. Listed like any checker, it is run by one driver
 * (`lint/workspace.ts`) from the CLI, the server and the semantic pass, which reads the workspace
 * checkers from `rules/workspace.ts` (add a family's there when it is not `split`).
 *
 * To add an option, add one entry below with a builder from `engine/options.ts` (or `option({...})`
 * for a shape none of them covers), then read it in the checker as `config.<family>.<name>`, document
 * it on the rule's docs page, and run `npm run schema`. For example, in `tokens`:
 *     minAnswer: positiveNumber('Answers under this many tokens are reported.', 2),
 * To add a family, add it to `FAMILIES` (with its options, if any) and its checkers to `rules/index.ts`.
 */
import {
  nonEmptyString,
  option,
  positiveNumber,
  section,
  strings,
  unitInterval,
  type Option,
  type Options,
} from '../engine/options.ts';

export type TokenizerSetting = 'o200k_base' | 'cl100k_base' | { tokenizerJson: string };

const tokenizer: Option<TokenizerSetting> = option({
  description: 'The tokenizer: a built-in encoding, or a Hugging Face tokenizer.json file.',
  settingDescription:
    'Tokenizer for token counts: `o200k_base`, `cl100k_base`, or `{"tokenizerJson": "path/to/tokenizer.json"}`.',
  default: 'o200k_base',
  schema: {
    oneOf: [
      { enum: ['o200k_base', 'cl100k_base'] },
      {
        type: 'object',
        required: ['tokenizerJson'],
        additionalProperties: false,
        properties: {
          tokenizerJson: { type: 'string', minLength: 1, description: 'Path of a tokenizer.json file.' },
        },
      },
    ],
  },
  expected: '"o200k_base", "cl100k_base" or {"tokenizerJson": path}',
  read: (raw) => {
    if (raw === 'o200k_base' || raw === 'cl100k_base') return raw;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
    const path: unknown = (raw as Record<string, unknown>)['tokenizerJson'];
    return typeof path === 'string' && path.length > 0 ? { tokenizerJson: path } : undefined;
  },
});

interface FamilyDeclaration {
  /** What the family's rules find; shown for the family's key under `rules`. */
  readonly description: string;
  /** The family's section of `tunesmith.json` (`tokens.max`), when its rules take options. */
  readonly options?: Options;
}

export const FAMILIES = {
  syntax: { description: 'Lines that are not valid JSON.' },
  format: { description: 'Lines that do not match a fine-tuning format.' },
  structure: { description: 'Message lists a trainer would reject or misread.' },
  consistency: {
    description: 'Duplicates, drift and outliers across the file.',
    options: {
      nearDuplicateThreshold: unitInterval(
        'Estimated Jaccard similarity of word shingles at or above which two examples are near-duplicates.',
        0.85,
      ),
      maxLabelClasses: positiveNumber(
        'Answers are treated as labels when the file has at most this many distinct answers.',
        20,
      ),
      lengthOutlierMads: positiveNumber(
        'A length is an outlier when it is this many median absolute deviations from the median.',
        8,
      ),
    },
  },
  content: {
    description:
      'Text the model would learn by accident: cut-off answers, boilerplate, placeholders, escaping, mojibake, tokenizer output, missing passages.',
  },
  pii: {
    description: 'Personal data: emails, phone numbers, card numbers and the like.',
    options: {
      allow: strings(
        'Values never reported: exact values, domains (example.com) for emails and URLs, or patterns that match the whole value: globs (*@mycompany.com, +1 800 ???-????) or /regular expressions/.',
        ['example.com', 'example.org', 'example.net'],
        'an array of values, domains or patterns',
      ),
      defaultPhoneRegion: nonEmptyString(
        'Region used to read phone numbers written without a country code.',
        'US',
        'a region code such as "US"',
      ),
    },
  },
  secrets: { description: 'API keys, tokens and private keys.' },
  tokens: {
    description: 'Examples too long for the token budget.',
    options: {
      max: positiveNumber('Examples over this many tokens will be truncated by most trainers.', 4096),
      tokenizer,
    },
  },
  semantic: {
    description: 'Examples compared by meaning, with a local sentence-embedding model.',
    options: {
      // Measured with all-MiniLM-L6-v2 (docs/benchmarks.md, "Near-miss stage"): with the second stage
      // (src/core/semantic/near-miss.ts) every near-miss of test/fixtures/semantic/paraphrases.json is
      // silent at any threshold from 0.68; 0.68 finds 41 of its 42 paraphrases, 0.82 31. 0.82 stays the
      // default: on test/fixtures/real-data, 0.68 adds 47 findings, most of them related tasks rather
      // than paraphrases, and 8 false semantic/conflict warnings.
      threshold: unitInterval(
        "Cosine similarity of two prompts' embeddings at or above which they may mean the same (pairs with mostly the same words are then checked word by word).",
        0.82,
      ),
      answerThreshold: unitInterval(
        'Answers to prompts that mean the same conflict when their cosine similarity is below this.',
        0.6,
      ),
      // The embedding is the bound now that pairs are searched with an index (pair-index.ts: ~2 s of
      // CPU for 20,000 prompts, 10 s for 100,000, docs/benchmarks.md "Pair search"): a cold cache embeds
      // ~250 examples/s on 2 cores, so 20,000 is ~80 s the first time and a few seconds once cached.
      maxExamples: positiveNumber(
        'The semantic rules are skipped, with a notice, when more distinct prompts than this are linted together.',
        5000,
      ),
      modelPath: option({
        description:
          'Directory of a local ONNX sentence-embedding model (model.onnx, tokenizer.json); empty: the one scripts/setup-embedding-model.sh puts in the cache.',
        default: '',
        schema: { type: 'string' },
        expected: 'a directory path',
        read: (raw) => (typeof raw === 'string' ? raw : undefined),
      }),
    },
  },
  split: {
    description: 'Examples shared between training and validation files.',
    options: {
      train: strings(
        'Globs of training files, for the train/validation leakage check.',
        ['**/*train*.jsonl'],
        'an array of globs',
      ),
      validation: strings(
        'Globs of validation files, for the train/validation leakage check.',
        ['**/*val*.jsonl', '**/*valid*.jsonl', '**/*eval*.jsonl', '**/*dev*.jsonl', '**/*test*.jsonl'],
        'an array of globs',
      ),
    },
  },
} as const satisfies Record<string, FamilyDeclaration>;

export type RuleFamily = keyof typeof FAMILIES;
export const FAMILY_NAMES = Object.keys(FAMILIES) as RuleFamily[];

/** Options no single family owns: which files are linted, and the chat format several families read. */
const GENERAL = {
  files: section('Which files `tunesmith lint DIRECTORY` and the editor lint.', {
    include: strings(
      'Globs of files to lint, relative to the workspace.',
      ['**/*.jsonl'],
      'an array of globs',
      'Globs of the dataset files to lint (changing this restarts the server).',
    ),
    exclude: strings(
      'Globs of files and directories to skip.',
      ['**/node_modules/**', '**/.tunesmith/**'],
      'an array of globs',
      'Globs never linted, on top of `#files.exclude#`.',
    ),
  }),
  maxLineLength: positiveNumber(
    'Lines longer than this many characters are reported and not otherwise linted.',
    1_000_000,
  ),
  chat: section('The chat (messages) format.', {
    allowedRoles: strings(
      'Roles a message may have.',
      ['system', 'developer', 'user', 'assistant', 'tool', 'function'],
      'an array of roles',
    ),
    allowedMessageKeys: strings(
      'Keys a message object may have.',
      [
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
      'an array of keys',
    ),
  }),
} as const;

type FamilySections = {
  [
    F in RuleFamily as (typeof FAMILIES)[F] extends { options: Options } ? F : never
  ]: (typeof FAMILIES)[F] extends {
    options: infer O extends Options;
  }
    ? ReturnType<typeof section<O>>
    : never;
};

function familySections(): FamilySections {
  const out: Record<string, unknown> = {};
  for (const [name, family] of Object.entries(FAMILIES) as [RuleFamily, FamilyDeclaration][]) {
    if (family.options) out[name] = section(family.description, family.options);
  }
  return out as FamilySections;
}

/** Every option of `tunesmith.json` but `rules`, in the order the schema and the settings list them. */
export const OPTIONS = { ...GENERAL, ...familySections() };
