/**
 * A cheap test that a line may hold something the secretlint preset finds. Each alternative is a
 * literal every match of one preset pattern must contain (read off the preset's own regexes; the
 * comment names the rule), matched case-insensitively so it is never narrower than a case-sensitive
 * original. Lines it rejects are not given to the preset at all: the test suite checks, over every
 * provider's token shapes, that the preset never finds anything on a line this rejects.
 *
 * `SECRET_PREFILTER` is the specification; `maySecret` runs it in the automaton of `line-signals.ts`,
 * which the test suite checks agrees with the regular expression on generated lines.
 */
import { lineSignal, lineSignals } from '../line-signals.ts';

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
 * and `rk_`), lower case. Why an automaton (`line-signals.ts`): V8 runs a case-insensitive alternation
 * of 30 literals by trying every alternative at almost every position, which made this the CLI's most
 * expensive check (0.9 s of 5.5 s of CPU on the 120 MB bench corpus); one table step per character is
 * ~10x faster.
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

/** The literals' bit in the one scan of each line that the line rules' prefilters share. */
const SECRET_SIGNAL = lineSignal(LITERALS);

export function maySecret(line: string): boolean {
  if ((lineSignals(line) & SECRET_SIGNAL) !== 0) return true;
  for (let at = line.indexOf('://'); at !== -1; at = line.indexOf('://', at + 1)) {
    BASIC_AUTH.lastIndex = at;
    if (BASIC_AUTH.test(line)) return true;
  }
  return false;
}
