/**
 * `consistency/answer-format-drift`: when most answers are JSON, the few that are not; and among JSON
 * object answers, the few whose keys differ from the usual set. A structured-output model trained on
 * a mix learns to break its own format now and then.
 */
import { datasetChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { answerOf, contentRange, isOn } from './common.ts';
import { forEachGroup } from './grouping.ts';
import { hash32, hashString } from './hashing.ts';

const ANSWER_FORMAT_DRIFT: RuleMeta = {
  code: 'consistency/answer-format-drift',
  family: 'consistency',
  description: 'Most answers are JSON (with one set of keys) but some are not.',
  defaultSeverity: 'warning',
  fixable: false,
};

const MIN_EXAMPLES = 5;
/** The majority format must cover this share of answers for the rest to count as drift. */
const MAJORITY = 0.8;

const TEXT = 0;
const OBJECT = 1;
const ARRAY = 2;

interface AnswerFormatFacts {
  kind: number;
  /** Hash of the sorted top-level keys of an object answer; NaN otherwise. */
  keys: number;
}

function parseAnswer(text: string): unknown {
  const trimmed = text.trim();
  const first = trimmed[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

function objectKeys(value: unknown): string[] | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.keys(value).sort()
    : undefined;
}

function percent(part: number, whole: number): string {
  return `${Math.floor((100 * part) / whole)}%`;
}

function keyList(keys: string[]): string {
  const shown = keys.slice(0, 5).map((key) => JSON.stringify(key.slice(0, 40)));
  return shown.join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');
}

export const answerFormatDriftChecker = datasetChecker<AnswerFormatFacts>({
  kind: 'dataset',
  rules: [ANSWER_FORMAT_DRIFT],
  extract(context) {
    const answer = answerOf(context);
    if (!answer || answer.contentKind !== 'string') return undefined;
    const value = parseAnswer(answer.content!);
    if (value === undefined) return { kind: TEXT, keys: NaN };
    const keys = objectKeys(value);
    return keys ? { kind: OBJECT, keys: hashString(keys.join('\u0000')) } : { kind: ARRAY, keys: NaN };
  },
  createIndex(config) {
    const set = new IdSet();
    const kind = set.column(Uint8Array);
    const keys = set.column(Uint32Array);
    const on = isOn(config, ANSWER_FORMAT_DRIFT);
    return {
      add(id, facts) {
        if (!set.add(id)) return;
        kind.values[id] = facts.kind;
        keys.values[id] = Number.isNaN(facts.keys) ? 0 : hash32(facts.keys);
      },
      remove(id) {
        set.remove(id);
      },
      move(from, delta) {
        set.move(from, delta);
      },
      report(lines, report) {
        if (!on || set.size < MIN_EXAMPLES) return;
        const ids = set.ids();
        const objects = ids.filter((id) => kind.values[id] === OBJECT);
        const json = ids.filter((id) => kind.values[id] !== TEXT).length;
        if (json >= MAJORITY * ids.length && json < ids.length) {
          for (const id of ids) {
            if (kind.values[id] !== TEXT) continue;
            const context = lines.context(id);
            report(ANSWER_FORMAT_DRIFT.code, {
              message: `${percent(json, ids.length)} of answers are JSON; this one is not (or does not parse)`,
              range: contentRange(context, answerOf(context)),
            });
          }
        }
        if (objects.length < MIN_EXAMPLES) return;
        const shapes: number[][] = [];
        forEachGroup(objects, keys.values, 1, (members) => shapes.push(members));
        if (shapes.length < 2) return;
        shapes.sort((a, b) => b.length - a.length || a[0]! - b[0]!);
        const usual = shapes[0]!;
        if (usual.length < MAJORITY * objects.length) return;
        const usualContext = lines.context(usual[0]!);
        const usualKeys = objectKeys(parseAnswer(answerOf(usualContext)?.content ?? ''));
        if (!usualKeys) return;
        for (const shape of shapes.slice(1)) {
          for (const id of shape) {
            const context = lines.context(id);
            const answer = answerOf(context);
            const own = objectKeys(parseAnswer(answer?.content ?? '')) ?? [];
            const missing = usualKeys.filter((key) => !own.includes(key));
            const extra = own.filter((key) => !usualKeys.includes(key));
            const parts = [
              ...(missing.length > 0 ? [`missing ${keyList(missing)}`] : []),
              ...(extra.length > 0 ? [`extra ${keyList(extra)}`] : []),
            ];
            report(ANSWER_FORMAT_DRIFT.code, {
              message: `JSON answer keys differ from the ${percent(usual.length, objects.length)} of JSON answers that share one set (${parts.join('; ')})`,
              range: contentRange(context, answer),
              related: [
                {
                  range: contentRange(usualContext, answerOf(usualContext)),
                  message: 'A JSON answer with the usual keys',
                },
              ],
            });
          }
        }
      },
    };
  },
});
