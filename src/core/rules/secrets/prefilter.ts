/**
 * A cheap test that a line may hold something the secretlint preset finds. Each alternative is a
 * literal every match of one preset pattern must contain (read off the preset's own regexes; the
 * comment names the rule), matched case-insensitively so it is never narrower than a case-sensitive
 * original. Lines it rejects are not given to the preset at all: the test suite checks, over every
 * provider's token shapes, that the preset never finds anything on a line this rejects.
 *
 * `SECRET_PREFILTER` is the specification; `maySecret` runs it as an automaton (below), which the
 * test suite checks agrees with the regular expression on generated lines.
 */
export const SECRET_PREFILTER = new RegExp(
  [
    String.raw`secret_?access_?key`, // aws (the access-key-id scan is off in the preset)
    String.raw`npm_|x-oauth-basic|_authToken=`, // npm
    String.raw`xox[bpaor]-|xapp-|hooks\.slack\.com`, // slack
    String.raw`:\/\/[-\w]+:[-\w]+@`, // basicauth
    String.raw`T3BlbkFJ`, // openai: every key format embeds base64("OpenAI")
    String.raw`sk-ant-api0`, // anthropic
    String.raw`gsk_`, // groq
    String.raw`hf_`, // huggingface
    String.raw`lin_api_`, // linear
    String.raw`ntn_`, // notion
    String.raw`PRIVATE KEY`, // privatekey
    String.raw`SG\.`, // sendgrid
    String.raw`shp(?:pa|ca|at|ss)_`, // shopify
    String.raw`[sr]k_(?:live|test)_`, // stripe
    String.raw`gh[pousr]_|github_pat_`, // github
    String.raw`glpat-|glc_|glsa_`, // gitlab, grafana
    String.raw`ops_ey`, // 1password
    String.raw`mongodb|mysql|postgres`, // database-connection-string
    String.raw`hv[sbr]\.`, // hashicorp-vault
    String.raw`vc[piark]_`, // vercel
    String.raw`dapi`, // databricks
    String.raw`dckr_pat_`, // docker
    String.raw`figd_`, // figma
    String.raw`cf(?:k|ut|at)_`, // cloudflare
    String.raw`tskey-`, // tailscale
  ].join('|'),
  'i',
);

/**
 * Every alternative of `SECRET_PREFILTER` but basic auth, spelled out as literals (`[sr]k_` as `sk_`
 * and `rk_`), lower case. Why an automaton: V8 runs a case-insensitive alternation of 30 literals by
 * trying every alternative at almost every position, which made this the CLI's most expensive check
 * (0.9 s of 5.5 s of CPU on the 120 MB bench corpus); one table step per character is ~10x faster.
 */
const LITERALS: readonly string[] = [
  ...['secretaccesskey', 'secret_accesskey', 'secretaccess_key', 'secret_access_key'],
  ...['npm_', 'x-oauth-basic', '_authtoken='],
  ...[...'bpaor'].map((c) => `xox${c}-`),
  ...['xapp-', 'hooks.slack.com', 't3blbkfj', 'sk-ant-api0', 'gsk_', 'hf_', 'lin_api_', 'ntn_'],
  ...['private key', 'sg.'],
  ...['pa', 'ca', 'at', 'ss'].map((s) => `shp${s}_`),
  ...['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
  ...[...'pousr'].map((c) => `gh${c}_`),
  ...['github_pat_', 'glpat-', 'glc_', 'glsa_', 'ops_ey', 'mongodb', 'mysql', 'postgres'],
  ...[...'sbr'].map((c) => `hv${c}.`),
  ...[...'piark'].map((c) => `vc${c}_`),
  ...['dapi', 'dckr_pat_', 'figd_', 'cfk_', 'cfut_', 'cfat_', 'tskey-'],
];

/** Basic-auth credentials have no fixed literal but `://`, which is rare enough to find with indexOf. */
const BASIC_AUTH = /:\/\/[-\w]+:[-\w]+@/y;

/**
 * An Aho–Corasick automaton over ASCII with letters folded, as a dense table. Character classes:
 * 0 for every character no literal contains (including all non-ASCII: a case-insensitive regex
 * without the `u` flag never folds a non-ASCII character onto an ASCII one), then one per distinct
 * character; the class table covers all of UTF-16 so the scan needs no range check. States are
 * numbered so that the accepting ones come last, and transitions hold the next state's row offset:
 * a step is two loads and an add, a match is `state >= accept`.
 */
function build(literals: readonly string[]): { classOf: Uint8Array; delta: Uint16Array; accept: number } {
  const classOf = new Uint8Array(128);
  let width = 1;
  for (const literal of literals) {
    for (const ch of literal) {
      const c = ch.charCodeAt(0);
      if (classOf[c] === 0) {
        classOf[c] = width;
        // Letters match both cases.
        if (c >= 0x61 && c <= 0x7a) classOf[c - 32] = width;
        width++;
      }
    }
  }
  const next: number[][] = [new Array<number>(width).fill(-1)];
  const final: boolean[] = [false];
  for (const literal of literals) {
    let state = 0;
    for (const ch of literal) {
      const a = classOf[ch.charCodeAt(0)]!;
      if (next[state]![a] === -1) {
        next[state]![a] = next.length;
        next.push(new Array<number>(width).fill(-1));
        final.push(false);
      }
      state = next[state]![a]!;
    }
    final[state] = true;
  }
  // Breadth-first: fill missing transitions from the failure state, and inherit its acceptance.
  const fail = new Array<number>(next.length).fill(0);
  const queue: number[] = [];
  for (let a = 0; a < width; a++) {
    const to = next[0]![a]!;
    if (to === -1) next[0]![a] = 0;
    else queue.push(to);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    final[state] ||= final[fail[state]!]!;
    for (let a = 0; a < width; a++) {
      const to = next[state]![a]!;
      if (to === -1) next[state]![a] = next[fail[state]!]![a]!;
      else {
        fail[to] = next[fail[state]!]![a]!;
        queue.push(to);
      }
    }
  }
  // Renumber: non-accepting states first (the root stays 0), accepting states last.
  const order = [...next.keys()].sort((x, y) => Number(final[x]) - Number(final[y]) || x - y);
  const number = new Array<number>(next.length);
  order.forEach((state, i) => (number[state] = i));
  // Entries are the next state's row offset (state × width), which saves a multiplication per step.
  const delta = new Uint16Array(next.length * width);
  order.forEach((state, i) => {
    for (let a = 0; a < width; a++) delta[i * width + a] = number[next[state]![a]!]! * width;
  });
  const ascii = new Uint8Array(65536);
  ascii.set(classOf);
  return { classOf: ascii, delta, accept: final.filter((f) => !f).length * width };
}

const { classOf: CLASS_OF, delta: DELTA, accept: ACCEPT } = build(LITERALS);

export function maySecret(line: string): boolean {
  let state = 0;
  for (let i = 0; i < line.length; i++) {
    state = DELTA[state + CLASS_OF[line.charCodeAt(i)]!]!;
    if (state >= ACCEPT) return true;
  }
  for (let at = line.indexOf('://'); at !== -1; at = line.indexOf('://', at + 1)) {
    BASIC_AUTH.lastIndex = at;
    if (BASIC_AUTH.test(line)) return true;
  }
  return false;
}
