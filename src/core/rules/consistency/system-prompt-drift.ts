/**
 * `consistency/system-prompt-drift`: a few examples whose system prompt is a slightly edited copy of
 * the one most examples use (a typo fixed halfway through, a stray sentence). Prompts are kept as
 * hashes; the dominant prompt and each rare variant are re-read once at report time.
 */
import { diffChars } from 'diff';
import { systemTurn } from '../../engine/formats.ts';
import { datasetChecker, type LineContext } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { contentRange, isOn } from './common.ts';
import { forEachRun, SortedPairs } from './grouping.ts';
import { hash32, hashString } from './hashing.ts';

const SYSTEM_PROMPT_DRIFT: RuleMeta = {
  code: 'consistency/system-prompt-drift',
  family: 'consistency',
  description: 'A rare system prompt is a slightly different copy of the one most examples use.',
  defaultSeverity: 'warning',
  fixable: true,
};

/** The dominant prompt must cover at least this share of the examples that have one. */
const DOMINANT_SHARE = 0.5;
/** A variant is rare when the dominant prompt is used at least this many times as often. */
const RARITY = 5;
const MIN_EXAMPLES = 5;
/** At most this many distinct rare prompts are compared with the dominant one. */
const MAX_VARIANTS = 1000;
const MAX_DIFF_LENGTH = 20_000;

function systemText(context: LineContext): string | undefined {
  const turn = context.example ? systemTurn(context.example) : undefined;
  return turn?.contentKind === 'string' ? turn.content : undefined;
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []);
}

/** Characters inserted or deleted to turn `a` into `b`, or undefined when over `limit`. */
function editDistance(a: string, b: string, limit: number): number | undefined {
  if (Math.abs(a.length - b.length) > limit || Math.max(a.length, b.length) > MAX_DIFF_LENGTH)
    return undefined;
  const changes = diffChars(a, b, { maxEditLength: limit });
  if (!changes) return undefined;
  let edits = 0;
  for (const change of changes) if (change.added || change.removed) edits += change.value.length;
  return edits <= limit ? edits : undefined;
}

/** Whether a variant is a near copy of the dominant prompt: most words shared, or a small edit. */
function isCloseVariant(variant: string, dominant: string): string | undefined {
  const limit = Math.max(3, Math.ceil(0.1 * Math.max(variant.length, dominant.length)));
  const edits = editDistance(variant, dominant, limit);
  if (edits !== undefined) return `${edits} character${edits === 1 ? '' : 's'} changed`;
  const a = words(variant);
  const b = words(dominant);
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  const jaccard = shared / (a.size + b.size - shared || 1);
  return jaccard >= 0.8 ? `${Math.round(jaccard * 100)}% of words shared` : undefined;
}

export const systemPromptDriftChecker = datasetChecker<number>({
  kind: 'dataset',
  rules: [SYSTEM_PROMPT_DRIFT],
  extract(context) {
    const text = systemText(context);
    return text === undefined ? undefined : hashString(text);
  },
  createIndex(config) {
    const set = new IdSet();
    const hashes = set.column(Uint32Array);
    const on = isOn(config, SYSTEM_PROMPT_DRIFT);
    // Prompts stay sorted across edits; groups are runs of it, read as views rather than arrays.
    const byPrompt = new SortedPairs((id) => hashes.values[id] || undefined);
    return {
      add(id, hash) {
        if (!set.add(id)) return;
        hashes.values[id] = hash32(hash);
        byPrompt.added(id);
      },
      remove(id) {
        if (!set.has(id)) return;
        byPrompt.removing(id);
        set.remove(id);
      },
      move(from, delta) {
        set.move(from, delta);
        byPrompt.move(from, delta);
      },
      report(lines, report) {
        if (!on || set.size < MIN_EXAMPLES) return;
        const sorted = byPrompt.sorted(() => set.ids());
        const groups: Uint32Array[] = [];
        forEachRun(sorted, (start, end) => groups.push(sorted.ids.subarray(start, end)));
        let dominant = groups[0];
        for (const group of groups) {
          if (
            group.length > dominant!.length ||
            (group.length === dominant!.length && group[0]! < dominant![0]!)
          )
            dominant = group;
        }
        if (!dominant || dominant.length < DOMINANT_SHARE * set.size || groups.length < 2) return;
        const dominantContext = lines.context(dominant[0]!);
        const dominantText = systemText(dominantContext);
        if (dominantText === undefined) return;
        const variants = groups
          .filter((group) => group !== dominant && group.length * RARITY <= dominant.length)
          .sort((a, b) => a[0]! - b[0]!)
          .slice(0, MAX_VARIANTS);
        const share = Math.round((100 * dominant.length) / set.size);
        for (const group of variants) {
          const text = systemText(lines.context(group[0]!));
          if (text === undefined || text === dominantText) continue;
          const how = isCloseVariant(text, dominantText);
          if (!how) continue;
          for (const id of group) {
            const context = lines.context(id);
            const turn = context.example ? systemTurn(context.example) : undefined;
            report(SYSTEM_PROMPT_DRIFT.code, {
              message: `System prompt differs slightly from the one ${share}% of examples use (${how})`,
              range: contentRange(context, turn),
              related: [
                {
                  range: contentRange(dominantContext, systemTurn(dominantContext.example!)),
                  message: `The system prompt used by ${dominant.length} examples`,
                },
              ],
              fix: {
                title: 'Replace with the dominant system prompt',
                edits: [{ range: contentRange(context, turn), newText: JSON.stringify(dominantText) }],
              },
            });
          }
        }
      },
    };
  },
});
