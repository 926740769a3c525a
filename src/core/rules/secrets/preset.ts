/**
 * secretlint's recommended preset, run synchronously on one piece of text.
 *
 * `lintSource` is async, but the engine's line checkers are sync. The preset's rules themselves are
 * plain objects (`create(context, options)` returning a `file(source)` handler), and every text rule
 * in the preset does its work synchronously: the only async handler is GCP's `.p12` reader, which
 * reads a binary file from disk and never applies to a JSONL line. So this module calls the rules
 * directly with a minimal rule context, which keeps the checker sync with no change to the engine
 * contract. A test compares the result with `lintSource` on the same text, so a preset upgrade that
 * breaks this assumption fails there. It is also faster than `lintSource` per call (no event emitter,
 * no source-code index, no config resolution).
 */
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';

type RuleCreator = (typeof presetRules)[number];
type RuleContext = Parameters<RuleCreator['create']>[0];
type RuleHandler = ReturnType<RuleCreator['create']>;
type SourceCode = Parameters<NonNullable<RuleHandler['file']>>[0];

export interface PresetFinding {
  /** secretlint rule id, e.g. `@secretlint/secretlint-rule-github`. */
  ruleId: string;
  messageId: string;
  /** Character offsets in the text, end exclusive. */
  start: number;
  end: number;
}

/**
 * The file name the preset is told it is reading: some rules look at it (npm's `_authToken` check
 * runs only on `.npmrc`; GCP's service-account check only on `.json`/`.p12` files), and a dataset is
 * neither. The secretlint CLI treats a `.jsonl` file the same way.
 */
export const SOURCE_FILE_PATH = 'dataset.jsonl';
const SOURCE_EXT = '.jsonl';

/** Rules that only adjust other rules' results (secretlint-disable comments). */
const FILTER_RULE_ID = '@secretlint/secretlint-rule-filter-comments';

export const PRESET_RULE_IDS: readonly string[] = presetRules.map((rule) => rule.meta.id);

function sourceOf(content: string): SourceCode {
  const position = (index: number): { line: number; column: number } => {
    const before = content.slice(0, index);
    const line = before.split('\n').length;
    return { line, column: index - (before.lastIndexOf('\n') + 1) };
  };
  const index = ({ line, column }: { line: number; column: number }): number => {
    let offset = 0;
    for (let l = 1; l < line; l++) offset = content.indexOf('\n', offset) + 1;
    return offset + column;
  };
  return {
    hasBOM: false,
    content,
    filePath: SOURCE_FILE_PATH,
    physicalFilePath: undefined,
    contentType: 'text',
    ext: SOURCE_EXT,
    getFilePath: () => SOURCE_FILE_PATH,
    getPhysicalFilePath: () => undefined,
    positionToIndex: index,
    indexToPosition: position,
    locationToRange: (loc) => [index(loc.start), index(loc.end)],
    rangeToLocation: (range) => ({ start: position(range[0]), end: position(range[1]) }),
  };
}

interface Ignore {
  targetRuleId: string;
  start: number;
  end: number;
}

/** Runs every rule of the preset on `content`; the findings, with secretlint-disable comments applied. */
export function runPreset(content: string): PresetFinding[] {
  const source = sourceOf(content);
  const findings: PresetFinding[] = [];
  const ignores: Ignore[] = [];
  for (const rule of presetRules) {
    const ruleId = rule.meta.id;
    const context: RuleContext = {
      sharedOptions: {},
      createTranslator: (messages) => (messageId, data) => ({
        // The message would contain the secret; the checker writes its own masked one.
        message: messageId in messages ? String(messageId) : '',
        messageId: String(messageId),
        data,
      }),
      report: ({ message, range }) =>
        findings.push({ ruleId, messageId: message.messageId, start: range[0], end: range[1] }),
      ignore: ({ targetRuleId, range }) => ignores.push({ targetRuleId, start: range[0], end: range[1] }),
    };
    const handler = rule.create(context, {});
    const result = handler.file?.(source);
    // An async handler would report after we return; none of the preset's text rules is async.
    if (result instanceof Promise) result.catch(() => undefined);
  }
  if (ignores.length === 0) return findings;
  return findings.filter(
    (f) =>
      f.ruleId === FILTER_RULE_ID ||
      !ignores.some(
        (i) =>
          (i.targetRuleId === '*' || i.targetRuleId === f.ruleId) && i.start <= f.start && f.end <= i.end,
      ),
  );
}
