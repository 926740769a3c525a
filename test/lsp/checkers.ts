/**
 * Small checkers with the shapes real rules have (a per-line fix, a role fix, a whole-file duplicate
 * index with related locations, one that throws), so the server's protocol tests do not depend on
 * the rule families being written in parallel. The real registry is exercised through dist/server.cjs.
 */
import {
  datasetChecker,
  workspaceChecker,
  type Checker,
  type LineAccess,
  type LineChecker,
  type SplitRole,
} from '../../src/core/engine/rule.ts';
import type { Range } from '../../src/core/engine/types.ts';

const trailingSpace: LineChecker = {
  kind: 'line',
  rules: [
    {
      code: 'test/trailing-space',
      family: 'format',
      description: 'Trailing whitespace',
      defaultSeverity: 'warning',
      fixable: true,
    },
  ],
  check(context, report) {
    const trimmed = context.text.trimEnd();
    if (trimmed.length === context.text.length) return;
    const range = context.range({ start: trimmed.length, end: context.text.length });
    report('test/trailing-space', {
      message: 'Trailing whitespace',
      range,
      tags: ['unnecessary'],
      fix: { title: 'Trim trailing whitespace', edits: [{ range, newText: '' }] },
    });
  },
};

const role: LineChecker = {
  kind: 'line',
  rules: [
    {
      code: 'test/role',
      family: 'structure',
      description: 'Misspelled role',
      defaultSeverity: 'error',
      fixable: true,
    },
  ],
  check(context, report) {
    for (const turn of context.example?.turns ?? []) {
      if (turn.role !== 'usr' || !turn.rolePath) continue;
      const span = context.json?.valueSpan(turn.rolePath);
      if (!span) continue;
      const range = context.range(span);
      report('test/role', {
        message: 'Unknown role "usr"; did you mean "user"?',
        range,
        fix: { title: 'Change role to "user"', edits: [{ range, newText: '"user"' }] },
      });
    }
  },
};

const throwing: LineChecker = {
  kind: 'line',
  rules: [
    {
      code: 'test/throws',
      family: 'syntax',
      description: 'Throws on BOOM',
      defaultSeverity: 'error',
      fixable: false,
    },
  ],
  check(context) {
    if (context.text.includes('BOOM')) throw new Error('planted failure');
  },
};

const duplicate = datasetChecker<string>({
  kind: 'dataset',
  rules: [
    {
      code: 'test/duplicate',
      family: 'consistency',
      description: 'Exact duplicate example',
      defaultSeverity: 'warning',
      fixable: true,
    },
  ],
  extract: (context) => (context.json?.ok ? context.text : undefined),
  createIndex() {
    const groups = new Map<string, Set<number>>();
    return {
      add(id, text) {
        let group = groups.get(text);
        if (!group) groups.set(text, (group = new Set()));
        group.add(id);
      },
      remove(id, text) {
        const group = groups.get(text);
        group?.delete(id);
        if (group?.size === 0) groups.delete(text);
      },
      report(lines, report) {
        for (const group of groups.values()) {
          if (group.size < 2) continue;
          const byLine = [...group].sort((a, b) => lines.lineOf(a) - lines.lineOf(b));
          const first = lines.context(byLine[0]!).lineRange();
          for (const id of byLine.slice(1)) {
            const line = lines.lineOf(id);
            report('test/duplicate', {
              message: `Duplicate of line ${first.start.line + 1}`,
              range: lines.context(id).lineRange(),
              related: [{ range: first, message: 'First occurrence' }],
              fix: {
                title: 'Delete duplicate line',
                edits: [
                  {
                    range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } },
                    newText: '',
                  },
                ],
              },
            });
          }
        }
      },
    };
  },
});

export const TEST_CHECKERS: readonly Checker[] = [trailingSpace, role, throwing, duplicate];

/**
 * A cross-file rule that is nothing but its declaration: a validation line whose exact text is a line
 * of a training file, on the facts of `duplicate` (the line's text). No server code names it: the
 * server's driver feeds it as it feeds `split/leakage`.
 */
const copiedLine = workspaceChecker({
  kind: 'workspace',
  rules: [
    {
      code: 'test/copied-line',
      family: 'split',
      description: 'A validation line copied from a training file',
      defaultSeverity: 'warning',
      fixable: false,
    },
  ],
  facts: { kind: 'lines', checker: duplicate },
  createIndex() {
    const files = new Map<string, { role: SplitRole; lines: Map<number, string> }>();
    const rangeOf = (lines: LineAccess | undefined, id: number): Range =>
      lines
        ? lines.context(id).lineRange()
        : { start: { line: id, character: 0 }, end: { line: id + 1, character: 0 } };
    return {
      add(file, role, id, text) {
        let entry = files.get(file);
        if (!entry) files.set(file, (entry = { role, lines: new Map() }));
        entry.role = role;
        entry.lines.set(id, text);
      },
      remove(file, id) {
        files.get(file)?.lines.delete(id);
      },
      move(file, from, delta) {
        const entry = files.get(file);
        if (entry)
          entry.lines = new Map([...entry.lines].map(([id, text]) => [id >= from ? id + delta : id, text]));
      },
      removeFile(file) {
        files.delete(file);
      },
      report(access) {
        const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : 1));
        const train = new Map<string, { file: string; id: number }>();
        for (const [file, entry] of sorted) {
          if (entry.role !== 'train') continue;
          for (const [id, text] of entry.lines) if (!train.has(text)) train.set(text, { file, id });
        }
        return sorted.flatMap(([file, entry]) =>
          entry.role !== 'validation'
            ? []
            : [...entry.lines].flatMap(([id, text]) => {
                const copy = train.get(text);
                if (!copy) return [];
                const copyLines = access(copy.file);
                const line = copyLines ? copyLines.lineOf(copy.id) : copy.id;
                return [
                  {
                    file,
                    finding: {
                      code: 'test/copied-line',
                      severity: 'warning' as const,
                      message: `Copied from line ${line + 1} of a training file`,
                      range: rangeOf(access(file), id),
                      related: [
                        { file: copy.file, range: rangeOf(copyLines, copy.id), message: 'The training line' },
                      ],
                    },
                  },
                ];
              }),
        );
      },
    };
  },
});

/** The test checkers and a workspace checker (`--workspace-checker`). */
export const WORKSPACE_TEST_CHECKERS: readonly Checker[] = [...TEST_CHECKERS, copiedLine];

/**
 * Reports every line with its text and terminator as the message: the diagnostics then spell out
 * the server's copy of the document, read over the protocol like any other finding. Test-only: the
 * product bundle has no way to dump a document.
 */
const echoLine: LineChecker = {
  kind: 'line',
  rules: [
    {
      code: 'test/echo',
      family: 'syntax',
      description: 'The line as the server holds it',
      defaultSeverity: 'hint',
      fixable: false,
    },
  ],
  check(context, report) {
    const { text, eol, bom } = context.input;
    const line = (bom ? '\uFEFF' : '') + text;
    report('test/echo', { message: JSON.stringify({ line, eol }), range: context.lineRange() });
  },
};

export const ECHO_CHECKERS: readonly Checker[] = [echoLine];
