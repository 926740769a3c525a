/**
 * The subset of glob syntax VS Code settings use (`**`, `*`, `?`, `{a,b}`, `[abc]`), matched against
 * workspace-relative paths with `/` separators. Written here because the project has no typed glob
 * dependency and the server needs only this; the patterns are compiled once per configuration.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        source += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else source += '[^/]*';
    } else if (char === '?') source += '[^/]';
    else if (char === '{') {
      inBraces++;
      source += '(?:';
    } else if (char === '}' && inBraces > 0) {
      inBraces--;
      source += ')';
    } else if (char === ',' && inBraces > 0) source += '|';
    else if (char === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) source += '\\[';
      else {
        source +=
          '[' +
          glob
            .slice(i + 1, close)
            .replace(/^!/, '^')
            .replace(/\\/g, '\\\\') +
          ']';
        i = close;
      }
    } else source += char.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Matches a relative path against globs; a glob without `/` also matches a base name anywhere. */
export class GlobSet {
  private readonly patterns: RegExp[];

  constructor(globs: readonly string[]) {
    this.patterns = globs.map((glob) => globToRegExp(glob.includes('/') ? glob : `**/${glob}`));
  }

  matches(relativePath: string): boolean {
    return this.patterns.some((pattern) => pattern.test(relativePath));
  }
}
