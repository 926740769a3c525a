/**
 * The content rules: text a model would learn that nobody meant it to, found in the strings of an
 * example. Answers cut off with "...", chat-assistant refusal boilerplate, placeholders where an input
 * should be, HTML entities left by a scraper, mojibake, word-tokenizer output, web page furniture, and
 * prompts that point at a passage they do not hold.
 */
import type { Checker } from '../../engine/rule.ts';
import { htmlEntityChecker } from './html-entity.ts';
import { missingPassageChecker } from './missing-passage.ts';
import { mojibakeChecker } from './mojibake.ts';
import { placeholderInputChecker } from './placeholder-input.ts';
import { refusalBoilerplateChecker } from './refusal-boilerplate.ts';
import { scrapingBoilerplateChecker } from './scraping-boilerplate.ts';
import { tokenizerArtefactChecker } from './tokenizer-artefact.ts';
import { truncatedAnswerChecker } from './truncated-answer.ts';

/** The content rules, in the order they run. */
export const contentCheckers: Checker[] = [
  truncatedAnswerChecker,
  refusalBoilerplateChecker,
  placeholderInputChecker,
  htmlEntityChecker,
  mojibakeChecker,
  tokenizerArtefactChecker,
  scrapingBoilerplateChecker,
  missingPassageChecker,
];
