/**
 * Runs checkers over lines. `LinePass` is the per-line half (parse once, run every line checker,
 * extract every dataset checker's facts); `DatasetIndexes` is the whole-file half. The CLI runs line
 * passes in worker threads and feeds one set of indexes in the main thread; the language server keeps
 * indexes alive across edits. `lintText` wires both for a document held in memory.
 */
import { severityOf, type ResolvedConfig } from './config.ts';
import { toExample, type Example } from './formats.ts';
import { JsonLine, type Span } from './json-line.ts';
import { splitLines } from './lines.ts';
import type {
  Checker,
  DatasetChecker,
  DatasetIndex,
  LineAccess,
  LineChecker,
  LineContext,
  Report,
} from './rule.ts';
import type { Finding, LineInput, Range, RuleMeta, Severity } from './types.ts';

/** Called when a checker throws: the finding set for that line and checker is skipped, never the file. */
export type RuleErrorHandler = (
  checkerCodes: readonly string[],
  line: number | undefined,
  error: unknown,
) => void;

const ignoreRuleError: RuleErrorHandler = () => {};

/** Severities of every known code under one configuration, resolved once. */
class SeverityTable {
  private readonly severities = new Map<string, Severity>();

  constructor(config: ResolvedConfig, rules: readonly RuleMeta[]) {
    for (const rule of rules) {
      const severity = severityOf(config, rule.code, rule.family, rule.defaultSeverity);
      if (severity !== 'off') this.severities.set(rule.code, severity);
    }
  }

  enabled(code: string): boolean {
    return this.severities.has(code);
  }

  severity(code: string): Severity | undefined {
    return this.severities.get(code);
  }

  /** A report function that stamps severity and drops codes that are off or unknown. */
  reporter(into: Finding[] | ((finding: Finding) => void)): Report {
    const add = Array.isArray(into) ? (finding: Finding) => into.push(finding) : into;
    return (code, draft) => {
      const severity = this.severities.get(code);
      if (severity) add({ code, severity, ...draft });
    };
  }
}

/**
 * A line as checkers see it. Parsed on first use: the dataset report re-reads many lines only for
 * their text and range (a million duplicate copies), and parsing them is most of its cost.
 */
class Context implements LineContext {
  readonly line: number;
  readonly text: string;
  /** null: not parsed yet. */
  private parsed: JsonLine | undefined | null = null;
  private normalised: Example | undefined | null = null;

  constructor(
    readonly input: LineInput,
    readonly config: ResolvedConfig,
    private readonly table: SeverityTable,
  ) {
    this.line = input.line;
    this.text = input.text;
  }

  get json(): JsonLine | undefined {
    if (this.parsed === null) {
      const blank = this.input.truncatedLength !== undefined || this.text.trim() === '';
      this.parsed = blank ? undefined : new JsonLine(this.text);
    }
    return this.parsed;
  }

  get example(): Example | undefined {
    if (this.normalised === null) this.normalised = this.json?.ok ? toExample(this.json.value) : undefined;
    return this.normalised;
  }

  enabled(code: string): boolean {
    return this.table.enabled(code);
  }

  range(span: Span): Range {
    return {
      start: { line: this.line, character: span.start },
      end: { line: this.line, character: span.end },
    };
  }

  lineRange(): Range {
    return this.range({ start: 0, end: this.text.length });
  }
}

function wantsAny(table: SeverityTable, checker: Checker): boolean {
  return checker.rules.some((rule) => table.enabled(rule.code));
}

interface LineResult {
  findings: Finding[];
  /** Facts for each dataset checker, in the order of `LinePass.datasetCheckers`. */
  facts: unknown[];
  /** The line's normalised example, for callers that summarise lines (the editor's outline, status). */
  example: Example | undefined;
}

/** The per-line half of linting. Stateless between lines, so it can run in any thread. */
export class LinePass {
  readonly table: SeverityTable;
  readonly lineCheckers: LineChecker[];
  readonly datasetCheckers: DatasetChecker[];

  constructor(
    readonly config: ResolvedConfig,
    checkers: readonly Checker[],
    private readonly onRuleError: RuleErrorHandler = ignoreRuleError,
  ) {
    this.table = new SeverityTable(
      config,
      checkers.flatMap((checker) => checker.rules),
    );
    this.lineCheckers = checkers.filter(
      (c): c is LineChecker => c.kind === 'line' && wantsAny(this.table, c),
    );
    // Dataset checkers keep their position even when off, so facts arrays line up across threads.
    this.datasetCheckers = checkers.filter((c): c is DatasetChecker => c.kind === 'dataset');
    // A workspace checker fed with a dataset checker's facts needs them even when that one is off.
    const feeding = checkers.flatMap((c) =>
      c.kind === 'workspace' && c.facts.kind === 'lines' && wantsAny(this.table, c) ? [c.facts.checker] : [],
    );
    this.datasetOn = this.datasetCheckers.map(
      (checker) => wantsAny(this.table, checker) || feeding.includes(checker),
    );
  }

  /** Whether each dataset checker's facts are wanted (a code of its own or of a workspace checker it feeds is on), resolved once rather than per line. */
  private readonly datasetOn: boolean[];

  context(input: LineInput): LineContext {
    return new Context(input, this.config, this.table);
  }

  run(input: LineInput): LineResult {
    const context = this.context(input);
    const findings: Finding[] = [];
    const report = this.table.reporter(findings);
    for (const checker of this.lineCheckers) {
      try {
        checker.check(context, report);
      } catch (error) {
        this.onRuleError(
          checker.rules.map((r) => r.code),
          input.line,
          error,
        );
      }
    }
    const facts = this.datasetCheckers.map((checker, i) => {
      if (!this.datasetOn[i]) return undefined;
      try {
        return checker.extract(context);
      } catch (error) {
        this.onRuleError(
          checker.rules.map((r) => r.code),
          input.line,
          error,
        );
        return undefined;
      }
    });
    return { findings, facts, example: context.example };
  }
}

/** The whole-file half: one index per dataset checker. */
export class DatasetIndexes {
  private readonly indexes: (DatasetIndex<unknown> | undefined)[];

  constructor(
    private readonly pass: LinePass,
    private readonly onRuleError: RuleErrorHandler = ignoreRuleError,
  ) {
    this.indexes = pass.datasetCheckers.map((checker) =>
      wantsAny(pass.table, checker) ? checker.createIndex(pass.config) : undefined,
    );
  }

  add(id: number, facts: readonly unknown[]): void {
    this.forEach(facts, (index, fact) => index.add(id, fact));
  }

  remove(id: number, facts: readonly unknown[]): void {
    this.forEach(facts, (index, fact) => index.remove(id, fact));
  }

  /**
   * Every id from `from` on becomes id + `delta`; `movedFacts` lists the facts of those ids in order,
   * read only for an index without `move` (which removes and adds them again: the cost then grows
   * with the lines below an edit; every built-in index moves).
   */
  move(from: number, delta: number, movedFacts: () => readonly (readonly unknown[])[]): void {
    if (delta === 0) return;
    let moved: readonly (readonly unknown[])[] | undefined;
    this.indexes.forEach((index, i) => {
      if (!index) return;
      try {
        if (index.move) return index.move(from, delta);
        moved ??= movedFacts();
        for (let j = 0; j < moved.length; j++)
          if (moved[j]![i] !== undefined) index.remove(from + j, moved[j]![i]);
        for (let j = 0; j < moved.length; j++)
          if (moved[j]![i] !== undefined) index.add(from + delta + j, moved[j]![i]);
      } catch (error) {
        this.onRuleError(
          this.pass.datasetCheckers[i]!.rules.map((r) => r.code),
          undefined,
          error,
        );
      }
    });
  }

  report(lines: LineAccess): Finding[] {
    // Loops, never push(...array): a rule can report a million findings, one stack slot each.
    const findings: Finding[] = [];
    for (let i = 0; i < this.indexes.length; i++)
      for (const finding of this.reportIndex(i, lines)) findings.push(finding);
    return findings;
  }

  /**
   * The findings of one dataset checker (by its position in `LinePass.datasetCheckers`); handed to
   * `into` one by one instead when given (then none are returned), so that a caller keeping a few
   * of a million findings never holds them all.
   */
  reportIndex(i: number, lines: LineAccess, into?: (finding: Finding) => void): Finding[] {
    const index = this.indexes[i];
    const findings: Finding[] = [];
    if (!index) return findings;
    try {
      index.report(lines, this.pass.table.reporter(into ?? findings));
    } catch (error) {
      this.onRuleError(
        this.pass.datasetCheckers[i]!.rules.map((r) => r.code),
        undefined,
        error,
      );
    }
    return findings;
  }

  /**
   * The findings of one dataset checker that changed since its previous update, and the ids whose
   * findings they replace ('all': every finding of the checker); undefined when the checker's index
   * has no `update` (then `reportIndex` it). A failure counts as an empty report of everything.
   */
  updateIndex(
    i: number,
    lines: LineAccess,
    restate: readonly number[] = [],
  ): { ids: Iterable<number> | 'all'; findings: Finding[] } | undefined {
    const index = this.indexes[i];
    if (!index) return { ids: 'all', findings: [] };
    if (!index.update) return undefined;
    const findings: Finding[] = [];
    try {
      return { ids: index.update(lines, this.pass.table.reporter(findings), restate), findings };
    } catch (error) {
      this.onRuleError(
        this.pass.datasetCheckers[i]!.rules.map((r) => r.code),
        undefined,
        error,
      );
      return { ids: 'all', findings: [] };
    }
  }

  private forEach(
    facts: readonly unknown[],
    apply: (index: DatasetIndex<unknown>, fact: unknown) => void,
  ): void {
    this.indexes.forEach((index, i) => {
      const fact = facts[i];
      if (!index || fact === undefined) return;
      try {
        apply(index, fact);
      } catch (error) {
        this.onRuleError(
          this.pass.datasetCheckers[i]!.rules.map((r) => r.code),
          undefined,
          error,
        );
      }
    });
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.code.localeCompare(b.code)
  );
}

/** Lints a whole document held in memory: every line, then the dataset checkers; sorted by position. */
export function lintText(
  text: string,
  config: ResolvedConfig,
  checkers: readonly Checker[],
  onRuleError?: RuleErrorHandler,
): Finding[] {
  const pass = new LinePass(config, checkers, onRuleError);
  const indexes = new DatasetIndexes(pass, onRuleError);
  const inputs = splitLines(text, config.maxLineLength);
  const findings: Finding[] = [];
  for (const input of inputs) {
    const result = pass.run(input);
    for (const finding of result.findings) findings.push(finding);
    indexes.add(input.line, result.facts);
  }
  const access: LineAccess = {
    lineOf: (id) => id,
    context: (id) => pass.context(inputs[id]!),
  };
  for (const finding of indexes.report(access)) findings.push(finding);
  return findings.sort(compareFindings);
}
