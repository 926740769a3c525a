import type { Checker } from '../../engine/rule.ts';
import { jsonChecker } from './json.ts';
import { lineEndingsChecker } from './line-endings.ts';
import { lineInputChecker } from './line-input.ts';

/** The syntax rules, in the order they run. */
export const syntaxCheckers: Checker[] = [lineInputChecker, jsonChecker, lineEndingsChecker];
