/**
 * What the semantic rules compare of one example: its prompt (every turn before the answer but system
 * turns, which a whole file often shares) and its answer; a `text` example or a line without an answer
 * turn is all prompt.
 */
import type { ResolvedConfig } from '../engine/config.ts';
import { splitLines } from '../engine/lines.ts';
import { LinePass } from '../engine/linter.ts';
import { FileLines } from '../engine/reader.ts';
import type { LineContext } from '../engine/rule.ts';
import type { Range } from '../engine/types.ts';
import type { LineIndex } from '../lint/lint-file.ts';
import { answerOf } from '../rules/consistency/common.ts';
import { ALL_CHECKERS } from '../rules/index.ts';
import { normalised } from './prompt-key.ts';

export interface SemanticExample {
  /** 0-based line. */
  readonly line: number;
  readonly prompt: string;
  readonly answer: string | undefined;
  /** The whole line, where findings go. */
  readonly range: Range;
}

export function semanticExample(context: LineContext): SemanticExample | undefined {
  const example = context.example;
  if (!context.json?.ok || !example) return undefined;
  const answer = answerOf(context);
  const parts: string[] = [];
  if (example.text !== undefined && example.turns.length === 0) parts.push(example.text);
  for (const turn of example.turns) {
    if (turn === answer) break;
    if (turn.canonicalRole !== 'system' && turn.content !== undefined) parts.push(turn.content);
  }
  const prompt = parts.join('\n').trim();
  if (prompt.length === 0) return undefined;
  return { line: context.line, prompt, answer: answer?.content, range: context.lineRange() };
}

/**
 * The examples of a file linted once (its `LineIndex`), read again from `path`. With `budget`, each
 * distinct prompt of the file takes one from `budget.left`, and reading stops (undefined) when none
 * is left: the pass is skipped beyond `semantic.maxExamples`, and a large file need not be read.
 */
export function readSemanticExamples(
  path: string,
  lines: LineIndex,
  config: ResolvedConfig,
  budget?: { left: number },
): SemanticExample[] | undefined {
  const pass = new LinePass(config, ALL_CHECKERS);
  const reader = new FileLines(path);
  const prompts = new Set<string>();
  try {
    const examples: SemanticExample[] = [];
    for (let line = 0; line < lines.count; line++) {
      const input = reader.read(lines.raw(line));
      if (input.truncatedLength !== undefined) continue;
      const example = semanticExample(pass.context(input));
      if (!example) continue;
      examples.push(example);
      if (!budget) continue;
      const key = normalised(example.prompt);
      if (prompts.has(key)) continue;
      prompts.add(key);
      if (--budget.left < 0) return undefined;
    }
    return examples;
  } finally {
    reader.close();
  }
}

/** The examples of a text read whole (a closed file of the language server's split), as `lintText` reads it. */
export function semanticExamplesOfText(text: string, config: ResolvedConfig): SemanticExample[] {
  const pass = new LinePass(config, ALL_CHECKERS);
  const examples: SemanticExample[] = [];
  for (const input of splitLines(text, config.maxLineLength)) {
    if (input.truncatedLength !== undefined) continue;
    const example = semanticExample(pass.context(input));
    if (example) examples.push(example);
  }
  return examples;
}
