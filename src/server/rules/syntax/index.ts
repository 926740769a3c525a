import type { Checker } from '../../engine/rule.ts';

/** The syntax rules, in the order they run. */
export const syntaxCheckers: Checker[] = [];
