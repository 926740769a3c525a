/**
 * `content/scraping-boilerplate`: page furniture a scraper kept with the text: Wikipedia's maintenance
 * banners ("Learn how and when to remove this template message"), its navigation links and edit
 * links, "[citation needed]". The phrases are the site's own interface text, which no writer puts in
 * an answer; each is matched with its case, as the site writes it.
 */
import type { LineChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { quote } from '../consistency/hashing.ts';
import { lineSignal, lineSignals } from '../line-signals.ts';
import { stringTurns, subject } from './common.ts';

const SCRAPING_BOILERPLATE: RuleMeta = {
  code: 'content/scraping-boilerplate',
  family: 'content',
  description:
    'Web page furniture kept by a scraper ("Learn how and when to remove this template message", "[edit]").',
  defaultSeverity: 'warning',
  fixable: false,
};

/**
 * Each phrase with a short literal that every match holds: the literals are looked for with
 * `includes`, and a phrase's expression runs only on text that holds its literal.
 */
const PHRASES: readonly (readonly [string, RegExp])[] = [
  ['template message', /Learn how and when to remove this template message/u],
  ['the free encyclopedia', /From Wikipedia, the free encyclopedia/u],
  ['Jump to ', /\bJump to (?:navigation|search|content)\b/u],
  ['[citation needed]', /\[citation needed\]/u],
  // A section heading with its edit link, "History[edit]": in prose "[edit]" follows a space.
  ['[edit]', /\w\[edit\]/u],
  ['improve this article', /Please help improve this article\b/u],
  ['needs additional citations', /This article needs additional citations for verification/u],
  ['last edited on', /This page was last edited on \d/u],
  ['Retrieved from', /Retrieved from "https?:\/\/[a-z]+\.wikipedia\.org/u],
];

/** Lines that may hold a literal: the shared scan folds case, `includes` then checks it. */
const SIGNAL = lineSignal(PHRASES.map(([literal]) => literal));

export const scrapingBoilerplateChecker: LineChecker = {
  kind: 'line',
  rules: [SCRAPING_BOILERPLATE],
  check(context, report) {
    const line = context.text;
    if ((lineSignals(line) & SIGNAL) === 0) return;
    if (!PHRASES.some(([literal]) => line.includes(literal))) return;
    for (const turn of stringTurns(context)) {
      const text = turn.content!;
      let found: RegExpExecArray | null = null;
      for (const [literal, phrase] of PHRASES)
        if (text.includes(literal) && (found = phrase.exec(text))) break;
      if (!found) continue;
      report(SCRAPING_BOILERPLATE.code, {
        message: `${subject(turn)} holds ${quote(found[0], 60)}, web page furniture a scraper kept: the model learns it as text`,
        range: context.range(context.json!.valueSpan(turn.contentPath)!),
      });
    }
  },
};
