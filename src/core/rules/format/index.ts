import type { Checker } from '../../engine/rule.ts';
import { driftChecker } from './drift.ts';
import { keysChecker } from './keys.ts';
import { noExamplesChecker } from './no-examples.ts';
import { unknownFormatChecker } from './unknown.ts';

/** The format rules, in the order they run. */
export const formatCheckers: Checker[] = [keysChecker, unknownFormatChecker, driftChecker, noExamplesChecker];
