/** Line endings that differ from the rest of the file (a CRLF line in an LF file, or the reverse). */
import { datasetChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';

export const MIXED_LINE_ENDINGS: RuleMeta = {
  code: 'syntax/mixed-line-endings',
  family: 'syntax',
  description: "A line's terminator (LF or CRLF) differs from the one most lines use.",
  defaultSeverity: 'warning',
  fixable: true,
};

type Eol = '\n' | '\r\n';

const EOL_NAMES: Record<Eol, string> = { '\n': 'LF', '\r\n': 'CRLF' };

export const lineEndingsChecker = datasetChecker<Eol>({
  kind: 'dataset',
  rules: [MIXED_LINE_ENDINGS],
  // A last line without terminator says nothing about the file's convention.
  extract: (context) => (context.input.eol === '' ? undefined : context.input.eol),
  createIndex() {
    const ids: Record<Eol, Set<number>> = { '\n': new Set(), '\r\n': new Set() };
    return {
      add(id, eol) {
        ids[eol].add(id);
      },
      remove(id, eol) {
        ids[eol].delete(id);
      },
      report(lines, report) {
        const lf = ids['\n'].size;
        const crlf = ids['\r\n'].size;
        if (lf === 0 || crlf === 0) return;
        const dominant: Eol = crlf > lf ? '\r\n' : '\n';
        const minority: Eol = dominant === '\n' ? '\r\n' : '\n';
        const total = lf + crlf;
        const dominantCount = Math.max(lf, crlf);
        for (const id of ids[minority]) {
          const line = lines.lineOf(id);
          const input = lines.context(id).input;
          const end = input.truncatedLength ?? input.text.length;
          const range = { start: { line, character: end }, end: { line: line + 1, character: 0 } };
          report(MIXED_LINE_ENDINGS.code, {
            message: `Line ends with ${EOL_NAMES[minority]} but ${dominantCount} of ${total} lines end with ${EOL_NAMES[dominant]}.`,
            range,
            fix: { title: `Use ${EOL_NAMES[dominant]}`, edits: [{ range, newText: dominant }] },
          });
        }
      },
    };
  },
});
