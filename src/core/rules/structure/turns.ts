/** Rules on the order of turns in a conversation: who speaks, first, last and twice in a row. */
import type { Turn } from '../../engine/formats.ts';
import type { LineChecker, LineContext } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { isRecord, rangeOf } from '../line-spans.ts';
import { messageList } from './messages.ts';
import { effectiveRole } from './roles.ts';

const NO_ASSISTANT_TURN: RuleMeta = {
  code: 'structure/no-assistant-turn',
  family: 'structure',
  description:
    'A conversation has no assistant turn, or only ones with weight 0, so there is nothing to train on.',
  defaultSeverity: 'error',
  fixable: false,
};

const LAST_TURN_NOT_ASSISTANT: RuleMeta = {
  code: 'structure/last-turn-not-assistant',
  family: 'structure',
  description: 'A conversation ends with a turn that is not the assistant’s, which is never trained on.',
  defaultSeverity: 'warning',
  fixable: false,
};

const SYSTEM_NOT_FIRST: RuleMeta = {
  code: 'structure/system-not-first',
  family: 'structure',
  description: 'A system message appears after the first turn.',
  defaultSeverity: 'warning',
  fixable: false,
};

const REPEATED_ROLE: RuleMeta = {
  code: 'structure/repeated-role',
  family: 'structure',
  description: 'Two consecutive turns come from the same role (tool results excepted).',
  defaultSeverity: 'warning',
  fixable: false,
};

function roleRange(context: LineContext, turn: Turn) {
  return rangeOf(context, context.json!.valueSpan(turn.rolePath ?? turn.path));
}

function label(turn: Turn): string {
  const role = turn.role ?? '?';
  return JSON.stringify(role.length > 30 ? `${role.slice(0, 27)}...` : role);
}

export const turnsChecker: LineChecker = {
  kind: 'line',
  rules: [NO_ASSISTANT_TURN, LAST_TURN_NOT_ASSISTANT, SYSTEM_NOT_FIRST, REPEATED_ROLE],
  check(context, report) {
    const list = messageList(context.example);
    const turns = context.example?.turns;
    // An empty or malformed list is structure/missing-messages.
    if (list === undefined || turns === undefined || turns.length === 0) return;
    let hasAssistant = false;
    let hasTrained = false;
    const messages = (context.json!.value as Record<string, unknown>)[list.listKey] as unknown[];
    let hasListTurn = false;
    let missingRole = false;
    let previous: Turn | undefined;
    let previousRole: string | undefined;
    for (let i = 0; i < turns.length; i++) {
      const turn = turns[i]!;
      const role = effectiveRole(turn);
      if (turn.path.length === 2) hasListTurn = true;
      if (turn.role === undefined) missingRole = true;
      if (role === 'assistant') {
        hasAssistant = true;
        // OpenAI's weight: an assistant turn with weight 0 is not trained (the trainer does the same).
        const raw = turn.path.length === 2 ? messages[turn.path[1] as number] : undefined;
        if (!isRecord(raw) || raw['weight'] !== 0) hasTrained = true;
      }
      if (role === 'system' && i > 0) {
        report(SYSTEM_NOT_FIRST.code, {
          message: `System message at position ${i + 1}; trainers and chat templates expect it first.`,
          range: roleRange(context, turn),
          related: [{ range: roleRange(context, turns[0]!), message: 'The first turn' }],
        });
      }
      const key = role ?? turn.role;
      if (previous && key !== undefined && key === previousRole && role !== 'tool' && role !== 'system') {
        report(REPEATED_ROLE.code, {
          message: `Two ${label(turn)} turns in a row (${i} and ${i + 1}); merge them or add the missing turn between.`,
          range: roleRange(context, turn),
          related: [{ range: roleRange(context, previous), message: 'The previous turn, same role' }],
        });
      }
      previous = turn;
      previousRole = key;
    }
    // With a role missing (or hidden behind a misspelled key) who speaks last is unknown.
    if (!hasListTurn || missingRole) return;
    if (!hasAssistant) {
      report(NO_ASSISTANT_TURN.code, {
        message: `No assistant turn among ${turns.length}; the example teaches the model nothing.`,
        range: rangeOf(context, context.json!.keySpan([list.listKey])),
      });
      return;
    }
    if (!hasTrained) {
      report(NO_ASSISTANT_TURN.code, {
        message:
          'Every assistant turn has weight 0; the example teaches the model nothing (the trainer refuses it).',
        range: rangeOf(context, context.json!.keySpan([list.listKey])),
      });
      return;
    }
    const last = turns[turns.length - 1]!;
    if (effectiveRole(last) !== 'assistant') {
      report(LAST_TURN_NOT_ASSISTANT.code, {
        message: `Last turn is ${label(last)}, not the assistant; it is not trained on.`,
        range: roleRange(context, last),
      });
    }
  },
};
