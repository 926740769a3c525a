/** Finds and resolves `tunesmith.json`, then applies `--rule CODE=SEVERITY` overrides. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE, resolveConfig, type ResolvedConfig } from '../core/engine/config.ts';
import type { RuleFamily, SeveritySetting } from '../core/engine/types.ts';
import { FAMILY_NAMES } from '../core/rules/declarations.ts';
import { ALL_RULES } from '../core/rules/index.ts';
import { UsageError, type CommandIO } from './command.ts';
import { describeError } from '../core/io/files.ts';

const SEVERITIES: readonly string[] = ['off', 'error', 'warning', 'info', 'hint'];

interface LoadedConfig {
  config: ResolvedConfig;
  /** The file it came from, or undefined when the defaults are in force. */
  path: string | undefined;
}

/** Loads the config; problems in it are printed as warnings (a typo must not switch linting off). */
export function loadConfig(io: CommandIO, explicit: string | undefined): LoadedConfig {
  const path = explicit !== undefined ? resolve(io.cwd, explicit) : join(io.cwd, CONFIG_FILE);
  if (explicit === undefined && !existsSync(path)) return { config: resolveConfig(undefined).config, path };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `not valid JSON (${error.message})` : describeError(error);
    throw new UsageError(`${explicit ?? CONFIG_FILE}: ${reason}`);
  }
  const { config, problems } = resolveConfig(raw);
  for (const problem of problems) io.stderr(`tunesmith: warning: ${explicit ?? CONFIG_FILE}: ${problem}\n`);
  return { config, path };
}

/** Applies `CODE=SEVERITY` (or `FAMILY=SEVERITY`) overrides on top of the file's rules. */
export function applyRuleOverrides(config: ResolvedConfig, overrides: readonly string[]): ResolvedConfig {
  if (overrides.length === 0) return config;
  const rules = { ...config.rules };
  for (const override of overrides) {
    const eq = override.lastIndexOf('=');
    const key = eq > 0 ? override.slice(0, eq) : '';
    const severity = eq > 0 ? override.slice(eq + 1) : '';
    if (!key || !SEVERITIES.includes(severity)) {
      throw new UsageError(
        `--rule ${override}: expected CODE=SEVERITY with SEVERITY one of ${SEVERITIES.join(', ')}`,
      );
    }
    if (!FAMILY_NAMES.includes(key as RuleFamily) && !ALL_RULES.some((rule) => rule.code === key)) {
      throw new UsageError(`--rule ${override}: unknown rule code or family "${key}"`);
    }
    rules[key] = severity as SeveritySetting;
  }
  return { ...config, rules };
}
