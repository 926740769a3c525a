/**
 * `tunesmith.json`: the typed configuration and its defaults. Raw values (from a file, from editor
 * settings) become a `ResolvedConfig` through `resolveConfig`, which falls back to the default for any
 * value of the wrong type and says so, instead of failing: a typo in one setting must not switch the
 * linter off. The JSON Schema editors use is `schemas/tunesmith.schema.json`; a test keeps the two in step.
 */
import { OPTIONS, type TokenizerSetting } from '../rules/declarations.ts';
import { defaultsOf, type Options, type ValuesOf } from './options.ts';
import type { RuleFamily, SeveritySetting } from './types.ts';

export type { TokenizerSetting };

/** The configuration file's name: the CLI reads it from its cwd, the editor from each workspace folder's root. */
export const CONFIG_FILE = 'tunesmith.json';

/** Every option's value (declared in `rules/declarations.ts`), and the severities set under `rules`. */
export type ResolvedConfig = {
  /** Severity by rule code (`pii/email`) or family (`pii`); the code wins over the family. */
  rules: Record<string, SeveritySetting>;
} & ValuesOf<typeof OPTIONS>;

export const DEFAULT_CONFIG: ResolvedConfig = { rules: {}, ...defaultsOf(OPTIONS) };

const SEVERITIES: readonly string[] = ['off', 'error', 'warning', 'info', 'hint'];

interface ConfigResolution {
  config: ResolvedConfig;
  /** Human-readable problems with the raw configuration; each names the key and what was used instead. */
  problems: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turns raw JSON into a full configuration; unknown or mistyped values fall back to the defaults. */
export function resolveConfig(raw: unknown): ConfigResolution {
  const problems: string[] = [];
  const config: ResolvedConfig = structuredClone(DEFAULT_CONFIG);
  if (raw === undefined || raw === null) return { config, problems };
  if (!isRecord(raw)) {
    return { config, problems: ['the configuration must be a JSON object; using the defaults'] };
  }

  if (raw['rules'] !== undefined) {
    if (isRecord(raw['rules'])) {
      for (const [key, value] of Object.entries(raw['rules'])) {
        if (typeof value === 'string' && SEVERITIES.includes(value))
          config.rules[key] = value as SeveritySetting;
        else problems.push(`rules.${key}: expected one of ${SEVERITIES.join(', ')}; using the default`);
      }
    } else problems.push('rules: expected an object of rule code to severity; using the defaults');
  }

  readOptions(OPTIONS, raw, config as unknown as Record<string, unknown>, '', problems);
  return { config, problems };
}

/** Reads each declared option from `raw` into `target`; a section given as a non-object is ignored. */
function readOptions(
  options: Options,
  raw: Record<string, unknown>,
  target: Record<string, unknown>,
  prefix: string,
  problems: string[],
): void {
  for (const [key, declaration] of Object.entries(options)) {
    const value = raw[key];
    if (declaration.kind === 'section') {
      if (isRecord(value))
        readOptions(
          declaration.options,
          value,
          target[key] as Record<string, unknown>,
          `${prefix}${key}.`,
          problems,
        );
      continue;
    }
    if (value === undefined) continue;
    const read = declaration.read(value);
    if (read !== undefined) target[key] = read;
    else problems.push(`${prefix}${key}: expected ${declaration.expected}; using the default`);
  }
}

/** The severity in force for a rule: its code's setting, else its family's, else its default. */
export function severityOf(
  config: ResolvedConfig,
  code: string,
  family: RuleFamily,
  defaultSeverity: SeveritySetting,
): SeveritySetting {
  return config.rules[code] ?? config.rules[family] ?? defaultSeverity;
}
