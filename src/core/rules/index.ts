/** The rule registry: every checker, and every rule code with its metadata. */
import type { Checker } from '../engine/rule.ts';
import type { RuleMeta } from '../engine/types.ts';
import { consistencyCheckers } from './consistency/index.ts';
import { formatCheckers } from './format/index.ts';
import { piiCheckers } from './pii/index.ts';
import { secretsCheckers } from './secrets/index.ts';
import { splitCheckers } from './split/index.ts';
import { structureCheckers } from './structure/index.ts';
import { syntaxCheckers } from './syntax/index.ts';
import { tokensCheckers } from './tokens/index.ts';

export const ALL_CHECKERS: readonly Checker[] = [
  ...syntaxCheckers,
  ...formatCheckers,
  ...structureCheckers,
  ...consistencyCheckers,
  ...piiCheckers,
  ...secretsCheckers,
  ...tokensCheckers,
  ...splitCheckers,
];

export const ALL_RULES: readonly RuleMeta[] = ALL_CHECKERS.flatMap((checker) => checker.rules);
