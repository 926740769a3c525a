/**
 * The secrets family: credentials found by secretlint's recommended preset, one code per provider
 * rule of the preset, masked in messages. The preset runs only on lines the prefilter marks (see
 * prefilter.ts), synchronously (see preset.ts).
 */
import type { Checker, LineChecker, LineContext, Report } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { maySecret } from './prefilter.ts';
import { runPreset, type PresetFinding } from './preset.ts';

/** secretlint rule (without the `@secretlint/secretlint-rule-` prefix) → our code and provider name. */
export const SECRET_RULES: Record<string, { code: string; provider: string }> = {
  aws: { code: 'secrets/aws', provider: 'AWS secret access key' },
  npm: { code: 'secrets/npm', provider: 'npm access token' },
  slack: { code: 'secrets/slack', provider: 'Slack token or webhook' },
  basicauth: { code: 'secrets/basic-auth', provider: 'Basic-auth credentials in a URL' },
  openai: { code: 'secrets/openai', provider: 'OpenAI API key' },
  anthropic: { code: 'secrets/anthropic', provider: 'Anthropic API key' },
  groq: { code: 'secrets/groq', provider: 'Groq API key' },
  huggingface: { code: 'secrets/huggingface', provider: 'Hugging Face token' },
  linear: { code: 'secrets/linear', provider: 'Linear API key' },
  notion: { code: 'secrets/notion', provider: 'Notion integration token' },
  privatekey: { code: 'secrets/private-key', provider: 'Private key' },
  sendgrid: { code: 'secrets/sendgrid', provider: 'SendGrid API key' },
  shopify: { code: 'secrets/shopify', provider: 'Shopify token' },
  stripe: { code: 'secrets/stripe', provider: 'Stripe key' },
  github: { code: 'secrets/github', provider: 'GitHub token' },
  gitlab: { code: 'secrets/gitlab', provider: 'GitLab personal access token' },
  grafana: { code: 'secrets/grafana', provider: 'Grafana token' },
  '1password': { code: 'secrets/1password', provider: '1Password service account token' },
  'database-connection-string': {
    code: 'secrets/database-connection-string',
    provider: 'Database connection string with a password',
  },
  'hashicorp-vault': { code: 'secrets/hashicorp-vault', provider: 'HashiCorp Vault token' },
  vercel: { code: 'secrets/vercel', provider: 'Vercel token' },
  databricks: { code: 'secrets/databricks', provider: 'Databricks token' },
  docker: { code: 'secrets/docker', provider: 'Docker personal access token' },
  figma: { code: 'secrets/figma', provider: 'Figma token' },
  cloudflare: { code: 'secrets/cloudflare', provider: 'Cloudflare API token' },
  tailscale: { code: 'secrets/tailscale', provider: 'Tailscale key' },
};

/** Rules of the preset that never report on a dataset line (see preset.ts) or only filter others. */
export const SILENT_PRESET_RULES = ['gcp', 'filter-comments'];

/** Anything a future preset version adds before it gets its own code. */
const OTHER = { code: 'secrets/other', provider: 'Secret' };

const RULE_PREFIX = '@secretlint/secretlint-rule-';

const SECRETS_RULES: readonly RuleMeta[] = [...Object.values(SECRET_RULES), OTHER].map(
  ({ code, provider }) => ({
    code,
    family: 'secrets',
    description: `Finds a ${provider.replace(/^./, (c) => c.toLowerCase())} (secretlint recommended preset).`,
    defaultSeverity: 'error',
    fixable: true,
  }),
);

const SECRET_PLACEHOLDER = '<SECRET>';

/**
 * The part of a match that is the secret itself: the preset reports `key = value` for AWS and the
 * whole URL for credentials in URLs; a fix must replace only the secret so the JSON stays valid.
 */
function secretPart(found: PresetFinding, text: string): { start: number; end: number } {
  const match = text.slice(found.start, found.end);
  const within = (regex: RegExp, group: number): { start: number; end: number } | undefined => {
    const m = regex.exec(match);
    if (!m || m[group] === undefined) return undefined;
    const offset = m.index + m[0].indexOf(m[group]);
    return { start: found.start + offset, end: found.start + offset + m[group].length };
  };
  const ruleName = found.ruleId.slice(RULE_PREFIX.length);
  // secretlint 13 reports the AWS match's start with the key's length; the value follows the start.
  if (ruleName === 'aws') {
    const m = /["']?(?:aws_?)?secret_?access_?key["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{40})/iy;
    m.lastIndex = found.start;
    const value = m.exec(text);
    return value ? { start: m.lastIndex - 40, end: m.lastIndex } : found;
  }
  if (ruleName === 'basicauth' || ruleName === 'database-connection-string')
    return within(/:\/\/([^:/\s@]+:[^@/\s]+)@/, 1) ?? found;
  return found;
}

function mask(secret: string): string {
  if (secret.startsWith('-----BEGIN')) return `${secret.slice(0, secret.indexOf('KEY') + 3)}-----…`;
  const colon = secret.indexOf(':');
  if (colon > 0 && !secret.includes('//')) return `${secret[0]}•••:••••••`;
  const prefix = /^[A-Za-z0-9]{1,12}[_.-](?:[a-z]{2,8}\d*[_.-])?/.exec(secret)?.[0] ?? secret.slice(0, 2);
  return `${prefix}••••••`;
}

/**
 * PEM private-key blocks of any size and label. The preset's privatekey rule wants 100 to 10,000
 * body characters and an RSA/DSA/EC/OPENSSH/PGP label, so it misses a PKCS#8 Ed25519 key (64
 * characters), keys over 7,500 bytes and `ENCRYPTED PRIVATE KEY` blocks. A body needs a base64 run
 * of 16 or more so a "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----" placeholder is
 * not reported. Bodies sit inside one JSON string, so they hold no raw quote.
 */
const PEM_PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----([^"]*?)-----END \1-----/g;

function pemPrivateKeys(text: string, taken: readonly PresetFinding[]): PresetFinding[] {
  const out: PresetFinding[] = [];
  if (!text.includes('PRIVATE KEY')) return out;
  PEM_PRIVATE_KEY.lastIndex = 0;
  for (let m = PEM_PRIVATE_KEY.exec(text); m; m = PEM_PRIVATE_KEY.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (!/[A-Za-z0-9+/]{16}/.test(m[2]!.replace(/\\[nr]/g, ' '))) continue;
    if (taken.some((t) => t.start < end && start < t.end)) continue;
    out.push({ ruleId: `${RULE_PREFIX}privatekey`, messageId: 'PEM block', start, end });
  }
  return out;
}

function check(context: LineContext, report: Report): void {
  const text = context.text;
  if (!maySecret(text)) return;
  const preset = runPreset(text);
  for (const found of [...preset, ...pemPrivateKeys(text, preset)]) {
    const ruleName = found.ruleId.slice(RULE_PREFIX.length);
    if (SILENT_PRESET_RULES.includes(ruleName)) continue;
    const { code, provider } = SECRET_RULES[ruleName] ?? OTHER;
    const part = secretPart(found, text);
    const secret = text.slice(part.start, part.end);
    const range = context.range(part);
    // Replacing text with a quote or backslash in it could break the line's JSON: offer no fix then.
    const fixable = !/["\\]/.test(secret) || secret.startsWith('-----BEGIN');
    report(code, {
      message: `${provider} ${mask(secret)} (secretlint ${found.messageId}): remove it from the training data`,
      range,
      ...(fixable
        ? {
            fix: {
              title: `Replace with ${SECRET_PLACEHOLDER}`,
              edits: [{ range, newText: SECRET_PLACEHOLDER }],
            },
          }
        : {}),
    });
  }
}

const secretsChecker: LineChecker = { kind: 'line', rules: SECRETS_RULES, check };

/** The secrets rules, in the order they run. */
export const secretsCheckers: Checker[] = [secretsChecker];
