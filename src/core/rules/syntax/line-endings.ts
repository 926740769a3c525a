/**
 * Line endings that differ from the rest of the file (a CRLF line in an LF file, or the reverse), and
 * lone CRs, which only editors open (LSP counts a lone CR as a line break; JSONL readers do not).
 */
import { datasetChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { IdSet } from '../consistency/columns.ts';

const MIXED_LINE_ENDINGS: RuleMeta = {
  code: 'syntax/mixed-line-endings',
  family: 'syntax',
  description: "A line's terminator (LF or CRLF) differs from the one most lines use, or is a lone CR.",
  defaultSeverity: 'warning',
  fixable: true,
};

type Eol = '\n' | '\r\n' | '\r';

const EOL_NAMES: Record<Eol, string> = { '\n': 'LF', '\r\n': 'CRLF', '\r': 'a lone CR' };
const EOL_CODES: Record<Eol, number> = { '\n': 0, '\r\n': 1, '\r': 2 };

export const lineEndingsChecker = datasetChecker<Eol>({
  kind: 'dataset',
  rules: [MIXED_LINE_ENDINGS],
  // A last line without terminator says nothing about the file's convention.
  extract: (context) => (context.input.eol === '' ? undefined : context.input.eol),
  createIndex() {
    // A byte per line (its terminator) rather than a Set entry: the report runs when a 1 GB file's
    // memory peaks, and three Sets over a million lines were a good part of that peak.
    const present = new IdSet();
    const column = present.column(Uint8Array);
    const counts = [0, 0, 0];
    return {
      add(id, eol) {
        if (!present.add(id)) return;
        const code = EOL_CODES[eol];
        column.values[id] = code;
        counts[code]!++;
      },
      remove(id, eol) {
        const code = EOL_CODES[eol];
        if (!present.has(id) || column.values[id] !== code) return;
        present.remove(id);
        counts[code]!--;
      },
      move(from, delta) {
        present.move(from, delta);
      },
      report(lines, report) {
        const [lf, crlf, cr] = counts as [number, number, number];
        if (cr === 0 && (lf === 0 || crlf === 0)) return;
        // A lone CR is never the file's convention: most JSONL readers do not end a line there.
        const dominant: Exclude<Eol, '\r'> = crlf > lf ? '\r\n' : '\n';
        const minority: Eol = dominant === '\n' ? '\r\n' : '\n';
        const total = lf + crlf + cr;
        const dominantCount = Math.max(lf, crlf);
        const values = column.values;
        for (const eol of [minority, '\r'] as const) {
          const code = EOL_CODES[eol];
          for (let id = 0; id < present.end; id++) {
            if (values[id] !== code || !present.has(id)) continue;
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
