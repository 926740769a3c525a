/** `content/refusal-boilerplate`: chat-assistant disclaimers in an answer ("As an AI language model"). */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { answerOf } from '../consistency/common.ts';
import { quote } from '../consistency/hashing.ts';
import { heldSpan } from './common.ts';

const REFUSAL_BOILERPLATE: RuleMeta = {
  code: 'content/refusal-boilerplate',
  family: 'content',
  description: 'An answer with chat-assistant boilerplate ("As an AI language model, ...").',
  defaultSeverity: 'warning',
  fixable: false,
};

/**
 * The phrases dataset cleaners strip (the "unfiltered" ShareGPT and WizardLM sets remove these): the
 * model would learn to open answers with them. A bare "as an AI" is left out: tool-calling data uses
 * it in refusals that are the point of the example ("as an AI, I cannot order a pizza").
 */
const BOILERPLATE =
  /\b(?:as an ai(?: language)? model|as a(?: large)? language model|i(?:'m| am) (?:just |only )?an ai(?: language)? model)\b/iu;
/**
 * What every phrase of BOILERPLATE has: V8 tries the alternation at every word boundary (about 16 µs
 * per 500-character answer), the literal is found 30x faster. No other character case-folds to one of
 * its letters under `iu`, so a text without it cannot match.
 */
const GATE = / model/iu;

/**
 * Whether `index` is inside a double-quoted string on its line: code that uses the phrase as test input
 * (`countVowels("Hello, I am an AI language model.")`, as GPTeacher's codegen set does) is no
 * boilerplate. Double quotes only: a single quote is an apostrophe as often as not ("I'm", "can't").
 */
function inStringLiteral(text: string, index: number): boolean {
  const before = text.slice(text.lastIndexOf('\n', index) + 1, index);
  return (before.split('"').length - 1) % 2 === 1;
}

export const refusalBoilerplateChecker: LineChecker = {
  kind: 'line',
  rules: [REFUSAL_BOILERPLATE],
  check(context, report) {
    const answer = answerOf(context);
    if (!answer || answer.contentKind !== 'string') return;
    const text = answer.content!;
    const found = GATE.test(text) ? BOILERPLATE.exec(text) : null;
    if (!found || inStringLiteral(text, found.index)) return;
    const span = heldSpan(context, answer);
    if (!span) return;
    report(REFUSAL_BOILERPLATE.code, {
      message: `The answer says ${quote(found[0])}: the model learns to say it too`,
      range: context.range(span),
    });
  },
};
