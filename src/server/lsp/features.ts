/**
 * Engine findings as LSP: diagnostics, quick fixes, hover and the outline. Pure functions of a
 * document's findings and lines, so the protocol tests exercise exactly what the server sends.
 */
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  DocumentSymbol,
  SymbolKind,
  TextDocumentEdit,
  type Diagnostic,
  type Hover,
  type Range as LspRange,
} from 'vscode-languageserver';
import { FORMAT_NAMES } from '../../core/engine/formats.ts';
import { planFixes } from '../../core/engine/fixes.ts';
import { docsUrl, type Finding, type Severity, type TextEdit } from '../../core/engine/types.ts';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import type { LineContext } from '../../core/engine/rule.ts';
import { EXAMPLE_OVERHEAD, tokenCounterFor, type TokenCounter } from '../../core/rules/tokens/counter.ts';
import { FIX_ALL_KIND } from '../../shared/protocol.ts';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(finding: Finding, uri: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.code,
    codeDescription: { href: docsUrl(finding.code) },
    source: 'tunesmith',
    message: finding.message,
  };
  if (finding.related?.length) {
    diagnostic.relatedInformation = finding.related.map((related) => ({
      location: { uri: related.file ?? uri, range: related.range },
      message: related.message,
    }));
  }
  if (finding.tags?.includes('unnecessary')) diagnostic.tags = [DiagnosticTag.Unnecessary];
  return diagnostic;
}

function editOf(uri: string, version: number, edits: TextEdit[]): CodeAction['edit'] {
  return { documentChanges: [TextDocumentEdit.create({ uri, version }, edits)] };
}

/**
 * Quick fixes for the findings under `range`, and the file-wide fix-all. Each action is one
 * versioned edit: if the document changed since, the editor refuses it rather than corrupting text.
 * Both go through the planner `tunesmith fix` uses (engine/fixes.ts), so Fix All makes the CLI's edits.
 */
export function codeActions(
  /** The findings on the lines of `range`. */
  findings: readonly Finding[],
  /** Every finding of the document, by position: asked for by fix-all only. */
  all: () => readonly Finding[],
  uri: string,
  version: number,
  range: LspRange,
  only: readonly string[] | undefined,
  /** Lines the engine did not read (over `maxLineLength`); see `PlanOptions.unread`. */
  unread?: (line: number) => boolean,
): CodeAction[] {
  const wants = (kind: string): boolean =>
    !only || only.some((requested) => kind === requested || kind.startsWith(requested + '.'));
  const options = unread ? { unread } : {};
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    for (const finding of findings) {
      // By line, not by column: on a one-line example, the cursor anywhere on it offers its fixes.
      if (
        !finding.fix ||
        finding.range.start.line > range.end.line ||
        finding.range.end.line < range.start.line
      )
        continue;
      // A fix the planner would not take alone (malformed, or on an unread line) is not offered.
      const { edits } = planFixes([finding], options);
      if (edits.length === 0) continue;
      const action = CodeAction.create(finding.fix.title, CodeActionKind.QuickFix);
      action.diagnostics = [toDiagnostic(finding, uri)];
      action.edit = editOf(uri, version, edits);
      action.isPreferred = true;
      actions.push(action);
    }
  }
  if (wants(FIX_ALL_KIND)) {
    const { edits } = planFixes(all(), options);
    if (edits.length > 0) {
      const action = CodeAction.create('Fix all auto-fixable Tunesmith problems', FIX_ALL_KIND);
      action.edit = editOf(uri, version, edits);
      actions.push(action);
    }
  }
  return actions;
}

/** The counter the tokens rules use; undefined when its tokenizer.json cannot be loaded (they say why). */
function counterFor(config: ResolvedConfig): TokenCounter | undefined {
  try {
    return tokenCounterFor(config);
  } catch {
    return undefined;
  }
}

/** Hover on a line: which example it is, its format, tokens per role, and the findings under the cursor. */
export function hoverFor(
  context: LineContext,
  findings: readonly Finding[],
  character: number,
  config: ResolvedConfig,
): Hover | undefined {
  const parts: string[] = [];
  const example = context.example;
  if (example) {
    parts.push(`**Example #${context.line + 1}** · ${FORMAT_NAMES[example.format]}`);
    // The count `tokens/too-long` compares with tokens.max: each turn with its template overhead,
    // plus the example's (shown as "template"), so the total is the number the rule reports.
    const counter = counterFor(config);
    if (counter && (example.turns.length > 0 || example.text !== undefined)) {
      const { total, byRole } = counter.countExample(example);
      const roles = Object.entries(byRole).map(([role, n]) => `${role} ${n}`);
      if (example.turns.length > 0) roles.push(`template ${EXAMPLE_OVERHEAD}`);
      parts.push(`Tokens (${counter.name}): ${roles.join(', ')} — total ${total} of ${config.tokens.max}`);
    }
  } else if (context.json && !context.json.ok) {
    parts.push(`**Line ${context.line + 1}** · not valid JSON`);
  }
  const onLine = findings.filter(
    (f) => f.range.start.line <= context.line && f.range.end.line >= context.line,
  );
  const related = onLine.filter((f) => f.related?.length);
  for (const finding of related) {
    const others = finding.related!.map((r) => `line ${r.range.start.line + 1}`).join(', ');
    parts.push(`\`${finding.code}\`: same as ${others}`);
  }
  const under = onLine.filter(
    (f) => f.range.start.character <= character && f.range.end.character >= character && !related.includes(f),
  );
  for (const finding of under) parts.push(`\`${finding.code}\`: ${finding.message}`);
  if (parts.length === 0) return undefined;
  return { contents: { kind: 'markdown', value: parts.join('\n\n') } };
}

const LABEL_LENGTH = 60;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > LABEL_LENGTH ? flat.slice(0, LABEL_LENGTH - 1).trimEnd() + '…' : flat;
}

/** The outline entry of a line: `#42 user: How do I reset…`. */
export function symbolFor(context: LineContext): DocumentSymbol | undefined {
  const example = context.example;
  if (!example) return undefined;
  // The first thing the user says names the example; a system prompt is usually shared by all.
  const turn =
    example.turns.find((t) => t.canonicalRole === 'user' && t.content) ??
    example.turns.find((t) => t.canonicalRole !== 'system' && t.content) ??
    example.turns.find((t) => t.content);
  const detail = turn ? `${turn.role ?? turn.canonicalRole ?? ''}: ${shorten(turn.content ?? '')}` : '';
  const label = example.text !== undefined && !turn ? shorten(example.text) : detail;
  const range = context.lineRange();
  return DocumentSymbol.create(
    `#${context.line + 1} ${label}`.trimEnd(),
    FORMAT_NAMES[example.format],
    SymbolKind.Object,
    range,
    range,
  );
}
