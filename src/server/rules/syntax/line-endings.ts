/**
 * Line endings that differ from the rest of the file (a CRLF line in an LF file, or the reverse), and
 * lone CRs, which only editors open (LSP counts a lone CR as a line break; JSONL readers do not).
 */
import { datasetChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';

export const MIXED_LINE_ENDINGS: RuleMeta = {
  code: 'syntax/mixed-line-endings',
  family: 'syntax',
  description: "A line's terminator (LF or CRLF) differs from the one most lines use, or is a lone CR.",
  defaultSeverity: 'warning',
  fixable: true,
};

type Eol = '\n' | '\r\n' | '\r';

const EOL_NAMES: Record<Eol, string> = { '\n': 'LF', '\r\n': 'CRLF', '\r': 'a lone CR' };

export const lineEndingsChecker = datasetChecker<Eol>({
  kind: 'dataset',
  rules: [MIXED_LINE_ENDINGS],
  // A last line without terminator says nothing about the file's convention.
  extract: (context) => (context.input.eol === '' ? undefined : context.input.eol),
  createIndex() {
    const ids: Record<Eol, Set<number>> = { '\n': new Set(), '\r\n': new Set(), '\r': new Set() };
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
        const cr = ids['\r'].size;
        if (cr === 0 && (lf === 0 || crlf === 0)) return;
        // A lone CR is never the file's convention: most JSONL readers do not end a line there.
        const dominant: Exclude<Eol, '\r'> = crlf > lf ? '\r\n' : '\n';
        const minority: Eol = dominant === '\n' ? '\r\n' : '\n';
        const total = lf + crlf + cr;
        const dominantCount = Math.max(lf, crlf);
        for (const eol of [minority, '\r'] as const) {
          for (const id of ids[eol]) {
            const line = lines.lineOf(id);
            const input = lines.context(id).input;
            const end = input.truncatedLength ?? input.text.length;
            const range = { start: { line, character: end }, end: { line: line + 1, character: 0 } };
            report(MIXED_LINE_ENDINGS.code, {
              message:
                eol === '\r'
                  ? `Line ends with a lone CR, which most JSONL readers do not take as a line break; ${dominantCount} of ${total} lines end with ${EOL_NAMES[dominant]}.`
                  : `Line ends with ${EOL_NAMES[eol]} but ${dominantCount} of ${total} lines end with ${EOL_NAMES[dominant]}.`,
              range,
              fix: { title: `Use ${EOL_NAMES[dominant]}`, edits: [{ range, newText: dominant }] },
            });
          }
        }
      },
    };
  },
});
