/** The `pii.allow` list: values, domains and patterns a user says are not personal data. */
import type { Candidate } from './detectors.ts';

/**
 * `pii.allow` split into exact values, domains and patterns, compiled once per configuration. A
 * pattern is a glob (`*` any run of characters, `?` one: `*@mycompany.*`, `+1 800 ???-????`) or a
 * regular expression between slashes (`/ops-\d+@corp\.io/`, flags after the last slash); it must
 * match the whole value as written or with its separators removed, ignoring case. An entry between
 * slashes that does not compile is taken as a plain value, as it was before patterns existed.
 */
class AllowList {
  private readonly values = new Set<string>();
  private readonly domains: string[] = [];
  private readonly patterns: RegExp[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const pattern = allowPattern(entry);
      if (pattern !== undefined) {
        this.patterns.push(pattern);
        continue;
      }
      const lower = entry.trim().toLowerCase();
      this.values.add(lower);
      this.values.add(lower.replace(SEPARATORS, ''));
      if (/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(lower)) this.domains.push(lower);
    }
  }

  allows(candidate: Candidate): boolean {
    const value = candidate.value.toLowerCase();
    const bare = value.replace(SEPARATORS, '');
    if (this.values.has(value) || this.values.has(bare)) return true;
    if (this.patterns.some((p) => p.test(candidate.value) || p.test(bare))) return true;
    const domain = candidate.domain;
    return domain !== undefined && this.domains.some((d) => domain === d || domain.endsWith(`.${d}`));
  }
}

const SEPARATORS = /[\s().-]/g;
const REGEX_ENTRY = /^\/(.+)\/([a-z]*)$/su;

/** The entry as a whole-value, case-insensitive pattern; undefined when it is a plain value or domain. */
function allowPattern(entry: string): RegExp | undefined {
  const trimmed = entry.trim();
  const regex = REGEX_ENTRY.exec(trimmed);
  if (regex) {
    try {
      // Anchored so that `/\d{3}-0000/` cannot allow a longer number by matching inside it.
      return new RegExp(`^(?:${regex[1]!})$`, `${regex[2]!.replace(/[gyi]/g, '')}i`);
    } catch {
      return undefined;
    }
  }
  if (!trimmed.includes('*') && !trimmed.includes('?')) return undefined;
  const source = trimmed
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

const allowLists = new WeakMap<readonly string[], AllowList>();

/** The compiled list of a configuration's `pii.allow` (the same array each line of a lint). */
export function allowListOf(entries: readonly string[]): AllowList {
  let list = allowLists.get(entries);
  if (!list) {
    list = new AllowList(entries);
    allowLists.set(entries, list);
  }
  return list;
}
