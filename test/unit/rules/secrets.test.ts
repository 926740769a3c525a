import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lintSource } from '@secretlint/core';
import { creator as preset } from '@secretlint/secretlint-rule-preset-recommend';
import { secretsCheckers, SECRET_RULES, SILENT_PRESET_RULES } from '../../../src/core/rules/secrets/index.ts';
import { maySecret, SECRET_PREFILTER } from '../../../src/core/rules/secrets/prefilter.ts';
import { PRESET_RULE_IDS, runPreset, SOURCE_FILE_PATH } from '../../../src/core/rules/secrets/preset.ts';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import { runRuleTests } from '../rule-tester.ts';

const user = (content: string): string => JSON.stringify({ messages: [{ role: 'user', content }] });
const alnum = (n: number, seed = 'aB3xY9kQ'): string => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
const hex = (n: number): string => 'a1b2c3d4e5f6'.repeat(Math.ceil(n / 12)).slice(0, n);
const pem = `-----BEGIN RSA PRIVATE KEY-----\nMII${alnum(120)}\n-----END RSA PRIVATE KEY-----`;

/** A 1Password service-account token is base64 JSON; its pattern wants the last group to encode `}` alone. */
const onePasswordJson = (pad: number): string =>
  `{"email":"svc@1passwordserviceaccounts.lcl","secretKey":"A3-C4ZJMN-PQTZTL-HGL84-G64M7-KVZRN-4ZVP6","srpX":"870d67a9e626625d9e368507804c9c32e661c57e"${' '.repeat(pad)}}`;
const onePassword = Buffer.from([0, 1, 2].map(onePasswordJson).find((j) => j.length % 3 === 1)!).toString(
  'base64',
);

/** One token per provider rule of the preset, in the shape its pattern requires. */
const SAMPLES: Record<string, string> = {
  aws: `aws_secret_access_key = ${alnum(40, 'wJalrXUtnFEMIK7MDENGbPxRfiCY')}`,
  npm: `npm_${alnum(36)}`,
  slack: 'xoxb-1234567890-abcdefghij',
  basicauth: 'https://deploy:hunter22x@corp.io/x',
  openai: `sk-${alnum(20)}T3BlbkFJ${alnum(20)}`,
  anthropic: `sk-ant-api03-${alnum(95)}AA`,
  groq: `gsk_${alnum(52)}`,
  huggingface: `hf_${'abcdefghijklmnopqrstuvwxyzABCDEFGH'}`,
  linear: `lin_api_${alnum(40)}`,
  notion: `ntn_12345678901${alnum(35)}`,
  privatekey: pem,
  sendgrid: `SG.${alnum(22)}.${alnum(43)}`,
  shopify: `shpat_${hex(32)}`,
  stripe: `sk_live_${alnum(24)}`,
  github: `ghp_${alnum(36)}`,
  gitlab: `glpat-${alnum(20)}`,
  grafana: `glsa_${alnum(32)}_${hex(8)}`,
  '1password': `ops_${onePassword}`,
  'database-connection-string': 'mongodb://admin:Sup3rS3cret@db.corp.io/app',
  'hashicorp-vault': `hvs.${alnum(95)}`,
  vercel: `vcp_${alnum(40)}`,
  databricks: `dapi${hex(32)}`,
  docker: `dckr_pat_${alnum(27)}`,
  figma: `figd_${alnum(43)}`,
  cloudflare: `cfk_${alnum(40)}${hex(8)}`,
  tailscale: `tskey-auth-${alnum(12)}-${alnum(30)}`,
};

async function viaLintSource(content: string): Promise<string[]> {
  const result = await lintSource({
    source: { content, filePath: SOURCE_FILE_PATH, ext: '.jsonl', contentType: 'text' },
    options: {
      config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset }] },
      noPhysicFilePath: true,
    },
  });
  return result.messages.map((m) => `${m.ruleId}@${m.range[0]}-${m.range[1]}`).sort();
}

const viaRunPreset = (content: string): string[] =>
  runPreset(content)
    .map((f) => `${f.ruleId}@${f.start}-${f.end}`)
    .sort();

test('secrets: every rule of the preset has a code, a sample, or is known to be silent', () => {
  for (const id of PRESET_RULE_IDS) {
    const name = id.replace('@secretlint/secretlint-rule-', '');
    assert.ok(name in SECRET_RULES || SILENT_PRESET_RULES.includes(name), `no code for ${id}`);
    if (name in SECRET_RULES) assert.ok(name in SAMPLES, `no sample for ${id}`);
  }
});

test('secrets: each sample is found by lintSource, by the sync runner identically, and passes the prefilter', async () => {
  for (const [name, sample] of Object.entries(SAMPLES)) {
    const line = user(`here: ${sample} done`);
    const expected = await viaLintSource(line);
    assert.ok(
      expected.some((e) => e.startsWith(`@secretlint/secretlint-rule-${name}@`)),
      `preset does not find the ${name} sample: ${expected.join(', ')}`,
    );
    assert.deepEqual(viaRunPreset(line), expected, name);
    assert.ok(maySecret(line), `prefilter misses ${name}`);
  }
});

test('secrets prefilter: misses nothing the preset finds, on generated provider-shaped lines (property)', async () => {
  const piece = fc.oneof(
    fc.constantFrom(...Object.values(SAMPLES)),
    // Samples with characters changed: near-misses and altered lengths still must not slip through.
    fc
      .tuple(fc.constantFrom(...Object.values(SAMPLES)), fc.nat(200), fc.string({ maxLength: 3 }))
      .map(([s, at, insert]) => s.slice(0, at % (s.length + 1)) + insert + s.slice(at % (s.length + 1))),
    fc.string({ maxLength: 20 }),
    fc.constantFrom(' ', '\n', '"', '=', ':', '://', '@', '_', '-', '.'),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 5 }), async (pieces) => {
      const line = user(pieces.join(''));
      const found = await viaLintSource(line);
      assert.deepEqual(viaRunPreset(line), found);
      if (found.length > 0) assert.ok(maySecret(line), `prefilter rejected ${line}`);
    }),
    { numRuns: 300 },
  );
});

/** Every alternative of the prefilter, written out, to build lines that hit it, nearly hit it, or straddle two. */
const PREFILTER_PIECES = [
  'secret_access_key',
  'secretAccessKey',
  'secret_accesskey',
  'npm_',
  'x-oauth-basic',
  '_authToken=',
  'xoxb-',
  'xoxr-',
  'xapp-',
  'hooks.slack.com',
  '://u:p@',
  '://a-b:c_d@',
  '://:x@',
  'T3BlbkFJ',
  'sk-ant-api0',
  'gsk_',
  'hf_',
  'lin_api_',
  'ntn_',
  'PRIVATE KEY',
  'SG.',
  'shpss_',
  'shpat_',
  'rk_live_',
  'sk_test_',
  'ghp_',
  'ghr_',
  'github_pat_',
  'glpat-',
  'glc_',
  'glsa_',
  'ops_ey',
  'mongodb',
  'MySQL',
  'postgres',
  'hvb.',
  'vck_',
  'dapi',
  'dckr_pat_',
  'figd_',
  'cfut_',
  'cfk_',
  'tskey-',
  // Characters a case-insensitive match must not fold onto ASCII letters (Kelvin sign, long s, dotted I).
  '\u212a',
  '\u017f',
  '\u0130',
  'é',
];

test('secrets prefilter: the automaton agrees with the regular expression it implements (property)', () => {
  const flipCase = (s: string, mask: number): string =>
    [...s].map((ch, i) => ((mask >> (i % 30)) & 1 ? ch.toUpperCase() : ch.toLowerCase())).join('');
  const piece = fc.oneof(
    fc.tuple(fc.constantFrom(...PREFILTER_PIECES), fc.nat()).map(([s, mask]) => flipCase(s, mask)),
    // Prefixes and suffixes: a literal cut short must not match, one completed later must.
    fc
      .tuple(fc.constantFrom(...PREFILTER_PIECES), fc.nat(20), fc.boolean())
      .map(([s, n, head]) => (head ? s.slice(0, n % s.length) : s.slice(n % s.length))),
    fc.string({ maxLength: 6 }),
    fc.constantFrom(' ', '_', '-', '.', ':', '/', '@', '='),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), fc.nat(400), (pieces, pad) => {
      // Long and short lines take the same path today, but padding keeps literals away from the edges.
      const line = 'x'.repeat(pad % 3 === 0 ? pad : 0) + pieces.join('');
      assert.equal(maySecret(line), SECRET_PREFILTER.test(line), line);
    }),
    { numRuns: 3000 },
  );
});

runRuleTests('secrets', secretsCheckers, {
  valid: [
    {
      name: 'a PEM private-key placeholder with no key material',
      lines: [user('-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----')],
    },
    { name: 'ordinary chat', lines: [user('How do I rotate my GitHub token safely?')] },
    { name: 'a token that is too short', lines: [user(`ghp_${alnum(20)}`)] },
    { name: 'a placeholder URL password', lines: [user('https://user:password@host.io')] },
  ],
  invalid: [
    {
      name: 'GitHub token, masked, replaced by <SECRET>',
      lines: [user(`token ${SAMPLES['github']} ok`)],
      findings: [
        {
          code: 'secrets/github',
          line: 0,
          text: SAMPLES['github'],
          message: 'ghp_••••••',
          fixed: user('token <SECRET> ok') + '\n',
        },
      ],
    },
    {
      name: 'AWS: only the key value is replaced',
      lines: [JSON.stringify({ text: SAMPLES['aws'] })],
      findings: [
        {
          code: 'secrets/aws',
          line: 0,
          text: alnum(40, 'wJalrXUtnFEMIK7MDENGbPxRfiCY'),
          fixed: JSON.stringify({ text: 'aws_secret_access_key = <SECRET>' }) + '\n',
        },
      ],
    },
    {
      name: 'database URL: only user:password is replaced',
      lines: [user(SAMPLES['database-connection-string']!)],
      findings: [
        {
          code: 'secrets/database-connection-string',
          line: 0,
          text: 'admin:Sup3rS3cret',
          message: 'a•••:••••••',
          fixed: user('mongodb://<SECRET>@db.corp.io/app') + '\n',
        },
      ],
    },
    {
      name: 'PEM private keys the preset misses: a 64-character Ed25519 key, an encrypted key, a 12,000-character key',
      lines: [
        user(
          `-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIDhGxQ1t4fJdN7sPwq3vA2yQk1E5rXn0uZbTq9LmHc8s\n-----END PRIVATE KEY-----`,
        ),
        user(
          `x -----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF${alnum(200)}\n-----END ENCRYPTED PRIVATE KEY----- y`,
        ),
        user(`-----BEGIN RSA PRIVATE KEY-----\nMII${alnum(12000)}\n-----END RSA PRIVATE KEY-----`),
      ],
      findings: [
        {
          code: 'secrets/private-key',
          line: 0,
          message: 'BEGIN PRIVATE KEY',
        },
        { code: 'secrets/private-key', line: 1, message: 'BEGIN ENCRYPTED PRIVATE KEY' },
        { code: 'secrets/private-key', line: 2, message: 'BEGIN RSA PRIVATE KEY' },
      ],
    },
    {
      name: 'a private key with escaped newlines',
      lines: [user(pem)],
      findings: [
        {
          code: 'secrets/private-key',
          line: 0,
          message: 'BEGIN RSA PRIVATE KEY',
          fixed: user('<SECRET>') + '\n',
        },
      ],
    },
  ],
});

test('secrets: every sample is reported once, and no message prints the secret it covers', () => {
  const lines = Object.values(SAMPLES).map((sample) => user(`x ${sample} y`));
  const findings = lintText(lines.join('\n'), resolveConfig({}).config, secretsCheckers);
  assert.equal(new Set(findings.map((f) => f.range.start.line)).size, lines.length);
  for (const f of findings) {
    const secret = lines[f.range.start.line]!.slice(f.range.start.character, f.range.end.character);
    assert.ok(!f.message.includes(secret), f.message);
  }
});
