/**
 * `consistency/duplicate` and `consistency/conflict`: exact copies of an example, and one prompt with
 * different answers. Both group 53-bit hashes kept in typed arrays, sorted once and then patched as
 * lines change (`SortedPairs`); report re-reads only the lines that get a finding.
 */
import { datasetChecker, type LineAccess, type Report } from '../../engine/rule.ts';
import type { FindingTag, RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { answerOf, contentRange, exactHash, isOn, lineLabel, linesLabel, MAX_RELATED } from './common.ts';
import { forEachSortedGroup, hashKey, SortedPairs, type SortedIds } from './grouping.ts';
import { canonicalJson, hash32, hashNormalised } from './hashing.ts';

export const DUPLICATE: RuleMeta = {
  code: 'consistency/duplicate',
  family: 'consistency',
  description: 'An example is an exact copy of an earlier one (ignoring key order and whitespace).',
  defaultSeverity: 'warning',
  fixable: true,
};

export const CONFLICT: RuleMeta = {
  code: 'consistency/conflict',
  family: 'consistency',
  description: 'The same prompt appears with different answers.',
  defaultSeverity: 'warning',
  fixable: false,
};

export interface DuplicateFacts {
  /** Hash of the canonical JSON of the line. */
  exact: number;
  /** Hash of the normalised prompt; NaN when the example has no answer turn. */
  prompt: number;
  /** Hash of the normalised answer. */
  answer: number;
}

export const duplicateChecker = datasetChecker<DuplicateFacts>({
  kind: 'dataset',
  rules: [DUPLICATE, CONFLICT],
  extract(context) {
    const json = context.json;
    const exact = exactHash(context);
    if (exact === undefined || typeof json?.value !== 'object' || json.value === null) return undefined;
    const facts: DuplicateFacts = { exact, prompt: NaN, answer: NaN };
    const answer = answerOf(context);
    if (answer && context.example) {
      // The prompt is every turn before the answer, role and text, whitespace-collapsed and case-folded.
      const parts: string[] = [];
      for (const turn of context.example.turns) {
        if (turn === answer) break;
        parts.push(turn.canonicalRole ?? turn.role ?? '?', turn.content ?? '');
      }
      facts.prompt = hashNormalised(parts);
      facts.answer = hashNormalised([answer.content!], 1);
    }
    return facts;
  },
  createIndex(config) {
    const set = new IdSet();
    const exact = set.column(Float64Array);
    const prompt = set.column(Float64Array);
    const answer = set.column(Uint32Array);
    const duplicatesOn = isOn(config, DUPLICATE);
    const conflictsOn = isOn(config, CONFLICT);
    const byExact = new SortedPairs((id) => hashKey(exact.values[id]!));
    const byPrompt = new SortedPairs((id) => hashKey(prompt.values[id]!));
    return {
      add(id, facts) {
        if (!set.add(id)) return;
        exact.values[id] = facts.exact;
        prompt.values[id] = facts.prompt;
        answer.values[id] = hash32(facts.answer);
        byExact.added(id);
        byPrompt.added(id);
      },
      remove(id) {
        if (!set.has(id)) return;
        byExact.removing(id);
        byPrompt.removing(id);
        set.remove(id);
      },
      report(lines, report) {
        const ids = (): Uint32Array => set.ids();
        if (duplicatesOn) reportDuplicates(byExact.sorted(ids), exact.values, lines, report);
        if (conflictsOn) reportConflicts(byPrompt.sorted(ids), prompt.values, answer.values, lines, report);
      },
    };
  },
});

/**
 * One finding per copy. A file of one example copied a million times has a million of them, so what
 * the copies of a group share (message, related location, tags) is built once per group, and a copy
 * whose text is byte-identical to the first needs no canonical serialisation to confirm the hash.
 */
function reportDuplicates(sorted: SortedIds, exact: Float64Array, lines: LineAccess, report: Report): void {
  forEachSortedGroup(sorted, exact, 2, (members) => {
    const first = lines.context(members[0]!);
    let canonical: string | undefined | null = null; // null: not computed yet
    const message = `Duplicate of ${lineLabel(first.line)}`;
    const related = [{ range: first.lineRange(), message: 'First occurrence' }];
    for (const id of members.slice(1)) {
      const copy = lines.context(id);
      if (copy.text !== first.text) {
        // Different text under one hash is a collision, not a copy (too deep to serialise: trust the hash).
        if (canonical === null) canonical = canonicalJson(first.json?.value);
        const copyCanonical = canonicalJson(copy.json?.value);
        if (canonical !== undefined && copyCanonical !== undefined && copyCanonical !== canonical) continue;
      }
      report(DUPLICATE.code, {
        message,
        range: copy.lineRange(),
        related,
        fix: {
          title: 'Delete the duplicate line',
          edits: [
            {
              range: { start: { line: copy.line, character: 0 }, end: { line: copy.line + 1, character: 0 } },
              newText: '',
            },
          ],
        },
        tags: UNNECESSARY,
      });
    }
  });
}

const UNNECESSARY: FindingTag[] = ['unnecessary'];

function reportConflicts(
  sorted: SortedIds,
  prompt: Float64Array,
  answer: Uint32Array,
  lines: LineAccess,
  report: Report,
): void {
  forEachSortedGroup(sorted, prompt, 2, (members) => {
    const answerCounts = new Map<number, number>();
    for (const id of members) answerCounts.set(answer[id]!, (answerCounts.get(answer[id]!) ?? 0) + 1);
    if (answerCounts.size < 2) return;
    for (const id of members) {
      // The first few lines with another answer; counts come from the tally, so a huge group stays linear.
      const others: number[] = [];
      for (const other of members) {
        if (answer[other] !== answer[id]) others.push(other);
        if (others.length === MAX_RELATED) break;
      }
      const otherCount = members.length - answerCounts.get(answer[id]!)!;
      const context = lines.context(id);
      const otherLines = others.map((other) => lines.lineOf(other));
      report(CONFLICT.code, {
        message: `The same prompt has a different answer on ${linesLabel(otherLines, 5, otherCount)}`,
        range: contentRange(context, answerOf(context)),
        related: others.map((other) => {
          const otherContext = lines.context(other);
          return {
            range: contentRange(otherContext, answerOf(otherContext)),
            message: 'A different answer to the same prompt',
          };
        }),
      });
    }
  });
}
