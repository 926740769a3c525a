/**
 * A dataset's findings as the dataset view shows them: its diagnostics (`vscode.languages.getDiagnostics`,
 * what the Problems panel shows, whether the server linted the buffer or the file on disk) by start
 * line, with a count per code and severity. One table for both views of a file: the one over its
 * TextDocument and the read-only one over the file on disk.
 */
import * as vscode from 'vscode';
import type { CodeCount, FindingSeverity } from '../../shared/dataset-protocol.ts';
import type { FindingInput } from './rows.ts';

const SEVERITY: Record<vscode.DiagnosticSeverity, FindingSeverity> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

export const codeOf = (diagnostic: vscode.Diagnostic): string => {
  const code = diagnostic.code;
  if (code === undefined) return diagnostic.source ?? '';
  return typeof code === 'object' ? String(code.value) : String(code);
};

export class FindingsTable {
  /** The diagnostics by 0-based start line, in getDiagnostics order. */
  private byLine = new Map<number, vscode.Diagnostic[]>();
  codes: CodeCount[] = [];
  /** Bumped on each read: fixes are asked for with it. */
  generation = 0;

  constructor(private readonly uri: vscode.Uri) {}

  read(): void {
    const byLine = new Map<number, vscode.Diagnostic[]>();
    const counts = new Map<string, CodeCount>();
    for (const diagnostic of vscode.languages.getDiagnostics(this.uri)) {
      const line = diagnostic.range.start.line;
      const list = byLine.get(line);
      if (list) list.push(diagnostic);
      else byLine.set(line, [diagnostic]);
      const code = codeOf(diagnostic);
      const severity = SEVERITY[diagnostic.severity];
      const key = `${severity} ${code}`;
      const count = counts.get(key);
      if (count) count.count++;
      else counts.set(key, { code, severity, count: 1 });
    }
    this.byLine = byLine;
    this.codes = [...counts.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
    this.generation++;
  }

  /** The lines that have findings, ascending. */
  lines(): number[] {
    return [...this.byLine.keys()].sort((a, b) => a - b);
  }

  at(line: number, finding: number): vscode.Diagnostic | undefined {
    return this.byLine.get(line)?.[finding];
  }

  of(line: number): FindingInput[] {
    return (this.byLine.get(line) ?? []).map((diagnostic) => ({
      code: codeOf(diagnostic),
      severity: SEVERITY[diagnostic.severity],
      message: diagnostic.message,
      startLine: diagnostic.range.start.line,
      startCharacter: diagnostic.range.start.character,
      endLine: diagnostic.range.end.line,
      endCharacter: diagnostic.range.end.character,
    }));
  }
}
