/**
 * The content rules: text a model would learn that nobody meant it to, found in the strings of an
 * example. Answers cut off with "...", chat-assistant refusal boilerplate, placeholders where an input
 * should be, HTML entities left by a scraper, and mojibake.
 */
import { decodeHTMLStrict } from 'entities';
import type { Turn } from '../../engine/formats.ts';
import type { Checker, LineChecker, LineContext, Report } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { answerOf } from '../consistency/common.ts';
import { quote } from '../consistency/hashing.ts';
import { findMojibake } from './mojibake.ts';

export const TRUNCATED_ANSWER: RuleMeta = {
  code: 'content/truncated-answer',
  family: 'content',
  description: 'An answer that ends in "..." or "…", as text cut off at a length limit does.',
  defaultSeverity: 'warning',
  fixable: false,
};

export const REFUSAL_BOILERPLATE: RuleMeta = {
  code: 'content/refusal-boilerplate',
  family: 'content',
  description: 'An answer with chat-assistant boilerplate ("As an AI language model, ...").',
  defaultSeverity: 'warning',
  fixable: false,
};

export const PLACEHOLDER_INPUT: RuleMeta = {
  code: 'content/placeholder-input',
  family: 'content',
  description: 'A field that holds a placeholder ("<noinput>", "NoInput") instead of text or nothing.',
  defaultSeverity: 'warning',
  fixable: true,
};

export const HTML_ENTITY: RuleMeta = {
  code: 'content/html-entity',
  family: 'content',
  description: 'Text with HTML entities (`&lt;strong&gt;`, `&amp;`) outside HTML: escaped twice on export.',
  defaultSeverity: 'warning',
  fixable: true,
};

export const MOJIBAKE: RuleMeta = {
  code: 'content/mojibake',
  family: 'content',
  description: 'UTF-8 text read as Windows-1252 and saved again (`naÃ¯ve` for `naïve`, `â€™` for `’`).',
  defaultSeverity: 'warning',
  fixable: true,
};

/**
 * "..." or "…" at the very end, after trimming, after a word: after a digit, comma or operator it says
 * "and so on" ("3, 7, 11, 15+4....").
 */
const TRUNCATED = /[^\s\d,+\-*/=.…](?:\.\.\.|…)$/u;

/**
 * The phrases dataset cleaners strip (the "unfiltered" ShareGPT and WizardLM sets remove these): the
 * model would learn to open answers with them. A bare "as an AI" is left out: tool-calling data uses
 * it in refusals that are the point of the example ("as an AI, I cannot order a pizza").
 */
const BOILERPLATE =
  /\b(?:as an ai(?: language)? model|as a(?: large)? language model|i(?:'m| am) (?:just |only )?an ai(?: language)? model)\b/iu;

/** Placeholders some generators write where an example has no input (Self-Instruct's `<noinput>`). */
const PLACEHOLDERS = new Set(['<noinput>', 'noinput', '<no input>', 'no input', '<nooutput>', 'nooutput']);
/** The fields that may be left empty, so the fix can empty them. */
const OPTIONAL_FIELDS = new Set(['input', 'context']);

/** An HTML entity with its semicolon: the named ones escaping produces, and numeric references. */
const ENTITY = /&(?:lt|gt|amp|quot|apos|nbsp|#\d{1,7}|#x[\da-f]{1,6});/iu;
/** A tag: the text is HTML (or XML) source, where entities are what it should hold. */
const TAG = /<\/?[a-z][\w-]*(?:\s[^<>]*)?\/?>/iu;

/**
 * Whether `index` is inside a quoted string on its line: code that uses the phrase as test input
 * (`countVowels("Hello, I am an AI language model.")`, as GPTeacher's codegen set does) is no boilerplate.
 */
function inStringLiteral(text: string, index: number): boolean {
  const before = text.slice(text.lastIndexOf('\n', index) + 1, index);
  // Double quotes only: a single quote is an apostrophe as often as not ("I'm", "can't").
  return (before.split('"').length - 1) % 2 === 1;
}

function stringTurns(context: LineContext): Turn[] {
  return (context.example?.turns ?? []).filter((turn) => turn.contentKind === 'string');
}

function replaceValue(context: LineContext, turn: Turn, title: string, value: string) {
  const span = context.json!.valueSpan(turn.contentPath)!;
  const range = context.range(span);
  return { range, fix: { title, edits: [{ range, newText: JSON.stringify(value) }] } };
}

function checkAnswer(context: LineContext, answer: Turn, report: Report): void {
  const text = answer.content!;
  const span = context.json?.valueSpan(answer.contentPath);
  if (!span) return;
  if (context.enabled(TRUNCATED_ANSWER.code) && TRUNCATED.test(text.trimEnd())) {
    report(TRUNCATED_ANSWER.code, {
      message: `The answer ends in ${quote(text.trimEnd().slice(-30))}: it may have been cut off`,
      range: context.range(span),
    });
  }
  const boilerplate = context.enabled(REFUSAL_BOILERPLATE.code) ? BOILERPLATE.exec(text) : null;
  if (boilerplate && !inStringLiteral(text, boilerplate.index)) {
    report(REFUSAL_BOILERPLATE.code, {
      message: `The answer says ${quote(boilerplate[0])}: the model learns to say it too`,
      range: context.range(span),
    });
  }
}

function checkText(context: LineContext, turn: Turn, report: Report): void {
  const text = turn.content!;
  if (!context.json?.valueSpan(turn.contentPath)) return;
  const where = turn.canonicalRole === 'assistant' ? 'The answer' : 'The text';
  if (context.enabled(PLACEHOLDER_INPUT.code) && PLACEHOLDERS.has(text.trim().toLowerCase())) {
    const field = turn.contentPath.length === 1 ? String(turn.contentPath[0]) : undefined;
    const empties = field !== undefined && OPTIONAL_FIELDS.has(field);
    const { range, fix } = replaceValue(context, turn, `Empty "${field ?? ''}"`, '');
    report(PLACEHOLDER_INPUT.code, {
      message: `${quote(text.trim())} is a placeholder, not ${turn.canonicalRole === 'assistant' ? 'an answer' : 'an input'}; the model learns it as text`,
      range,
      ...(empties ? { fix } : {}),
    });
  }
  const entity = context.enabled(HTML_ENTITY.code) ? ENTITY.exec(text) : null;
  if (entity && !TAG.test(text)) {
    const decoded = decodeHTMLStrict(text);
    report(HTML_ENTITY.code, {
      message: `${where} holds the HTML entity ${entity[0]} (for ${quote(decodeHTMLStrict(entity[0]))}): it was escaped twice`,
      ...replaceValue(context, turn, 'Decode the HTML entities', decoded),
    });
  }
  const mojibake = context.enabled(MOJIBAKE.code) ? findMojibake(text) : undefined;
  if (mojibake) {
    const { written, meant } = mojibake.example;
    report(MOJIBAKE.code, {
      message: `${where} holds ${quote(written)}, which is ${quote(meant)} read in the wrong encoding`,
      ...replaceValue(context, turn, 'Repair the encoding', mojibake.repaired),
    });
  }
}

const contentChecker: LineChecker = {
  kind: 'line',
  rules: [TRUNCATED_ANSWER, REFUSAL_BOILERPLATE, PLACEHOLDER_INPUT, HTML_ENTITY, MOJIBAKE],
  check(context, report) {
    const answer = answerOf(context);
    if (answer?.contentKind === 'string') checkAnswer(context, answer, report);
    for (const turn of stringTurns(context)) checkText(context, turn, report);
  },
};

export const contentCheckers: Checker[] = [contentChecker];
