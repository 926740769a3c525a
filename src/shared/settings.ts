/**
 * The editor settings mirror `tunesmith.json`: `tunesmith.chat.allowedRoles` is `chat.allowedRoles`
 * in the file. The project's file is read first and settings a user has set explicitly win, so the
 * editor, the CLI and CI agree unless someone chose otherwise.
 */
import { optionPaths } from '../core/engine/options.ts';
import { OPTIONS } from '../core/rules/declarations.ts';

/**
 * Every setting under `tunesmith.` that mirrors `tunesmith.json`, from the option declarations (the
 * manifest's `contributes.configuration` is generated from the same; a test keeps them equal).
 */
export const SETTING_KEYS: readonly string[] = ['rules', ...optionPaths(OPTIONS).map(([path]) => path)];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Dotted keys with values into the nested shape of `tunesmith.json`. */
export function nest(values: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of values) {
    const path = key.split('.');
    let target = out;
    for (const part of path.slice(0, -1)) {
      if (!isRecord(target[part])) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return out;
}

/** `over` on top of `base`: objects merge key by key (so `rules` entries combine), anything else is replaced. */
export function mergeSettings(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeSettings(base[key], value);
  return out;
}
