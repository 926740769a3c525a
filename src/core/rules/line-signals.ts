/**
 * One scan of each raw line for the literals that the line rules' prefilters look for. Each rule
 * registers its literals once (`lineSignal`), getting a bit; `lineSignals(text)` runs one automaton
 * over the line and returns the bits of every group with a literal in it. Before this, the secrets
 * prefilter, `content/scraping-boilerplate`, `content/tokenizer-artefact` and
 * `content/missing-passage` each read every line again with their own `includes` calls (a fifth of
 * the per-line rules' time on templated chat data).
 *
 * Literals are matched with ASCII letters folded, so a bit is set whenever the group's literal is in
 * the line in any case: a superset of a case-sensitive `includes`. A rule whose literals are
 * case-sensitive confirms them with `includes` on lines whose bit is set, which keeps its findings
 * exactly as before.
 */

interface Automaton {
  /** Character class of every UTF-16 code unit (0: in no literal). */
  classOf: Uint8Array;
  /** Transitions: the next state's row offset by row offset plus class. */
  delta: Uint16Array;
  /** Rows from this offset on are accepting. */
  accept: number;
  /** The group bits a state accepts, by row offset. */
  bits: Uint16Array;
}

const groups: (readonly string[])[] = [];
let automaton: Automaton | undefined;
/** The last line scanned: several rules ask for the same line's signals one after another. */
let lastText: string | undefined;
let lastSignals = 0;

/**
 * Registers a group of literals and returns its bit. Called when a rule module loads; the automaton
 * is built on the next scan.
 */
export function lineSignal(literals: readonly string[]): number {
  if (groups.length === 16) throw new Error('lineSignal: at most 16 groups');
  groups.push(literals.map((literal) => literal.toLowerCase()));
  automaton = undefined;
  lastText = undefined;
  return 1 << (groups.length - 1);
}

/**
 * An Aho–Corasick automaton over ASCII with letters folded, as a dense table. Character classes:
 * 0 for every character no literal contains (including all non-ASCII: a case-insensitive regex
 * without the `u` flag never folds a non-ASCII character onto an ASCII one), then one per distinct
 * character; the class table covers all of UTF-16 so the scan needs no range check. States are
 * numbered so that the accepting ones come last, and transitions hold the next state's row offset:
 * a step is two loads and an add, a match is `state >= accept`.
 */
function build(literalGroups: readonly (readonly string[])[]): Automaton {
  const classOf = new Uint8Array(128);
  let width = 1;
  for (const literals of literalGroups) {
    for (const literal of literals) {
      for (const ch of literal) {
        const c = ch.charCodeAt(0);
        if (c >= 0x80) throw new Error(`lineSignal: ${JSON.stringify(literal)} is not ASCII`);
        if (classOf[c] === 0) {
          classOf[c] = width;
          if (c >= 0x61 && c <= 0x7a) classOf[c - 32] = width;
          width++;
        }
      }
    }
  }
  const next: number[][] = [new Array<number>(width).fill(-1)];
  const bits: number[] = [0];
  literalGroups.forEach((literals, group) => {
    for (const literal of literals) {
      let state = 0;
      for (const ch of literal) {
        const a = classOf[ch.charCodeAt(0)]!;
        if (next[state]![a] === -1) {
          next[state]![a] = next.length;
          next.push(new Array<number>(width).fill(-1));
          bits.push(0);
        }
        state = next[state]![a]!;
      }
      bits[state]! |= 1 << group;
    }
  });
  const fail = new Array<number>(next.length).fill(0);
  const queue: number[] = [];
  for (let a = 0; a < width; a++) {
    const to = next[0]![a]!;
    if (to === -1) next[0]![a] = 0;
    else queue.push(to);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    bits[state]! |= bits[fail[state]!]!;
    for (let a = 0; a < width; a++) {
      const to = next[state]![a]!;
      if (to === -1) next[state]![a] = next[fail[state]!]![a]!;
      else {
        fail[to] = next[fail[state]!]![a]!;
        queue.push(to);
      }
    }
  }
  const order = [...next.keys()].sort((x, y) => Number(bits[x] !== 0) - Number(bits[y] !== 0) || x - y);
  const number = new Array<number>(next.length);
  order.forEach((state, i) => (number[state] = i));
  if (next.length * width > 0xffff) throw new Error('lineSignal: too many literals for the table');
  const delta = new Uint16Array(next.length * width);
  const rowBits = new Uint16Array(next.length * width);
  order.forEach((state, i) => {
    for (let a = 0; a < width; a++) delta[i * width + a] = number[next[state]![a]!]! * width;
    rowBits[i * width] = bits[state]!;
  });
  const ascii = new Uint8Array(65536);
  ascii.set(classOf);
  return { classOf: ascii, delta, accept: bits.filter((b) => b === 0).length * width, bits: rowBits };
}

/** The bits of every registered group with a literal (ASCII letters folded) in `text`. */
export function lineSignals(text: string): number {
  if (text === lastText) return lastSignals;
  automaton ??= build(groups);
  const { classOf, delta, accept, bits } = automaton;
  const all = (1 << groups.length) - 1;
  let state = 0;
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    state = delta[state + classOf[text.charCodeAt(i)]!]!;
    if (state >= accept) {
      found |= bits[state]!;
      if (found === all) break;
    }
  }
  lastText = text;
  lastSignals = found;
  return found;
}
