/**
 * Mojibake: UTF-8 bytes read as Windows-1252 (or Latin-1) and saved again, so `naïve` reads `naÃ¯ve`
 * and `it’s` reads `itâ€™s`. Written here because the library that repairs it (Python's ftfy) has no
 * JavaScript counterpart; we only undo the one mistake that is common in exported datasets, and only
 * where the bytes decode as valid UTF-8 (TextDecoder, fatal), so text in Latin scripts is left alone.
 */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { quote } from '../consistency/hashing.ts';
import { heldSpan, replaceValue, stringTurns, subject } from './common.ts';

/** The characters Windows-1252 puts at bytes 0x80-0x9F (the unassigned ones read as C1 controls). */
const CP1252_HIGH: Readonly<Record<string, number>> = Object.fromEntries(
  [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'].map((char, i) => [char, 0x80 + i]),
);

function byteOf(char: string): number | undefined {
  const code = char.charCodeAt(0);
  if (code >= 0x80 && code <= 0xff) return code;
  return CP1252_HIGH[char];
}

const CONTINUATION = '[\\u0080-\\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]';
/** A lead byte of a 2-4 byte UTF-8 sequence, then its continuation bytes, as Windows-1252 read them. */
const CANDIDATE = new RegExp(`[\\u00c2-\\u00f4]${CONTINUATION}{1,3}`, 'gu');
const decoder = new TextDecoder('utf-8', { fatal: true });

function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

interface Mojibake {
  /** The first garbled sequence as written, and what it stands for. */
  example: { written: string; meant: string };
  /** The text with every garbled sequence decoded. */
  repaired: string;
}

/** Garbled sequences in `text`, and the text repaired; undefined when there are none. */
export function findMojibake(text: string): Mojibake | undefined {
  // Cheap exit for the common case: no lead character at all.
  if (!/[\u00c2-\u00f4]/u.test(text)) return undefined;
  let example: Mojibake['example'] | undefined;
  const repaired = text.replace(CANDIDATE, (match) => {
    const chars = [...match];
    const bytes = chars.map(byteOf);
    const length = sequenceLength(bytes[0]!);
    if (bytes.length < length) return match;
    try {
      const meant = decoder.decode(new Uint8Array(bytes.slice(0, length) as number[]));
      example ??= { written: chars.slice(0, length).join(''), meant };
      return meant + chars.slice(length).join('');
    } catch {
      return match;
    }
  });
  return example ? { example, repaired } : undefined;
}

const MOJIBAKE: RuleMeta = {
  code: 'content/mojibake',
  family: 'content',
  description: 'UTF-8 text read as Windows-1252 and saved again (`naÃ¯ve` for `naïve`, `â€™` for `’`).',
  defaultSeverity: 'warning',
  fixable: true,
};

export const mojibakeChecker: LineChecker = {
  kind: 'line',
  rules: [MOJIBAKE],
  check(context, report) {
    for (const turn of stringTurns(context)) {
      const found = findMojibake(turn.content!);
      if (!found) continue;
      const span = heldSpan(context, turn);
      if (!span) continue;
      const { written, meant } = found.example;
      report(MOJIBAKE.code, {
        message: `${subject(turn)} holds ${quote(written)}, which is ${quote(meant)} read in the wrong encoding`,
        ...replaceValue(context, span, 'Repair the encoding', found.repaired),
      });
    }
  },
};
