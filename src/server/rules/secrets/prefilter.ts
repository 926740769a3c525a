/**
 * A cheap test that a line may hold something the secretlint preset finds. Each alternative is a
 * literal every match of one preset pattern must contain (read off the preset's own regexes; the
 * comment names the rule), matched case-insensitively so it is never narrower than a case-sensitive
 * original. Lines it rejects are not given to the preset at all: the test suite checks, over every
 * provider's token shapes, that the preset never finds anything on a line this rejects.
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

export function maySecret(line: string): boolean {
  return SECRET_PREFILTER.test(line);
}
