import type { Checker } from '../../engine/rule.ts';
import { messagesChecker } from './messages.ts';
import { preferenceChecker } from './preference.ts';
import { toolCallsChecker } from './tool-calls.ts';
import { turnsChecker } from './turns.ts';

/** The structure rules, in the order they run. */
export const structureCheckers: Checker[] = [
  messagesChecker,
  turnsChecker,
  toolCallsChecker,
  preferenceChecker,
];
