/**
 * Files whose lines match no dataset format, or a format the trainer does not train: one finding per
 * file, on the first such line. A file in an unsupported layout has the problem on every line, and a
 * finding per line would bury everything else (and name the same keys thousands of times).
 */
import { datasetChecker, type LineAccess, type Report } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { quoteKey, trimmedSpan } from '../line-spans.ts';
import { likelyTopLevelKey } from './misspelling.ts';

const UNKNOWN_FORMAT: RuleMeta = {
  code: 'format/unknown',
  family: 'format',
  description: 'Lines that are JSON objects in none of the dataset formats trainers accept (once per file).',
  // An error: the trainer refuses a file with such a line ("no known format").
  defaultSeverity: 'error',
  fixable: false,
};

const NOT_TRAINABLE: RuleMeta = {
  code: 'format/not-trainable',
  family: 'format',
  description:
    "Preference pairs (prompt/chosen/rejected), which Tunesmith's trainer does not train: it runs supervised fine-tuning, not DPO (once per file).",
  // An error: the trainer refuses the file, and a line the linter passes is a line the trainer trains.
  defaultSeverity: 'error',
  fixable: false,
};

const SHOWN_KEYS = 8;

/** Facts: `preference`, or the keys of a line in no format joined by tabs. */
type Facts = string;
const PREFERENCE = 'preference';

function firstLine(lines: LineAccess, ids: Iterable<number>): number {
  let first = -1;
  let firstLineNumber = Infinity;
  for (const id of ids) {
    const line = lines.lineOf(id);
    if (line < firstLineNumber) [first, firstLineNumber] = [id, line];
  }
  return first;
}

/**
 * Ids ascending, each with a value. `move` shifts the ids from `from` on in place (no rebuild), and
 * iteration follows the ids, the lines' order, as a fresh lint adds them: the keys a report names
 * do not depend on the order of the edits.
 */
class IdsInOrder<T> {
  private readonly ids: number[] = [];
  private readonly held: T[] = [];

  get size(): number {
    return this.ids.length;
  }

  set(id: number, value: T): void {
    const at = this.lowerBound(id);
    if (this.ids[at] === id) this.held[at] = value;
    else {
      this.ids.splice(at, 0, id);
      this.held.splice(at, 0, value);
    }
  }

  delete(id: number): void {
    const at = this.lowerBound(id);
    if (this.ids[at] !== id) return;
    this.ids.splice(at, 1);
    this.held.splice(at, 1);
  }

  /** Every id from `from` on becomes id + `delta` (those moved onto were deleted): the order holds. */
  move(from: number, delta: number): void {
    for (let i = this.lowerBound(from); i < this.ids.length; i++) this.ids[i]! += delta;
  }

  keys(): readonly number[] {
    return this.ids;
  }

  values(): readonly T[] {
    return this.held;
  }

  private lowerBound(id: number): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.ids[mid]! < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

export const unknownFormatChecker = datasetChecker<Facts>({
  kind: 'dataset',
  rules: [UNKNOWN_FORMAT, NOT_TRAINABLE],
  extract(context) {
    const example = context.example;
    if (example === undefined) return undefined;
    if (example.format === 'preference') return PREFERENCE;
    if (example.format !== 'unknown') return undefined;
    const value = context.json!.value as Record<string, unknown>;
    // A misspelled key explains the line; format/misspelled-key reports it with a fix.
    for (const key of example.keys)
      if (likelyTopLevelKey(key, value, 'unknown') !== undefined) return undefined;
    return example.keys.join('\t');
  },
  createIndex() {
    const unknown = new IdsInOrder<Facts>();
    const preference = new IdsInOrder<true>();
    return {
      add(id, facts) {
        if (facts === PREFERENCE) preference.set(id, true);
        else unknown.set(id, facts);
      },
      remove(id, facts) {
        if (facts === PREFERENCE) preference.delete(id);
        else unknown.delete(id);
      },
      // Shifts the ids below the edit in place: what is above it is not visited, nothing is rebuilt.
      move(from, delta) {
        unknown.move(from, delta);
        preference.move(from, delta);
      },
      report(lines, report: Report) {
        if (unknown.size > 0) {
          const first = firstLine(lines, unknown.keys());
          const keys = new Set<string>();
          for (const facts of unknown.values()) {
            for (const key of facts === '' ? [] : facts.split('\t')) keys.add(key);
            if (keys.size > SHOWN_KEYS) break;
          }
          const shown = [...keys].slice(0, SHOWN_KEYS).map(quoteKey).join(', ');
          const more = keys.size > SHOWN_KEYS ? ', ...' : '';
          const count =
            unknown.size === 1 ? 'This line matches' : `${unknown.size} lines, from this one, match`;
          const context = lines.context(first);
          report(UNKNOWN_FORMAT.code, {
            message:
              `${count} no dataset format (keys: ${keys.size ? shown + more : 'none'}); expected ` +
              '"messages", "conversations", "instruction" + "output" or "response", "prompt" + "completion", ' +
              '"question" + "answer", or "text".',
            range: context.range(trimmedSpan(context.text)),
          });
        }
        if (preference.size > 0) {
          const context = lines.context(firstLine(lines, preference.keys()));
          const count =
            preference.size === 1 ? 'This line is' : `${preference.size} lines, from this one, are`;
          report(NOT_TRAINABLE.code, {
            message:
              `${count} preference pairs (prompt/chosen/rejected), for DPO or reward training; Tunesmith's ` +
              'trainer runs supervised fine-tuning and refuses them. Keep prompt and chosen as ' +
              '"prompt"/"completion" to fine-tune on the chosen answers.',
            range: context.range(trimmedSpan(context.text)),
          });
        }
      },
    };
  },
});
