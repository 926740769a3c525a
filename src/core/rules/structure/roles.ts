/** Roles as the structure rules read them, including the common misspellings they can fix. */
import type { ResolvedConfig } from '../../engine/config.ts';
import type { CanonicalRole, Turn } from '../../engine/formats.ts';

/** `from` values of ShareGPT turns that trainers (LLaMA-Factory, FastChat, Axolotl) accept. */
const SHAREGPT_ROLES: ReadonlySet<string> = new Set([
  'system',
  'human',
  'user',
  'gpt',
  'assistant',
  'function_call',
  'observation',
  'tool',
  'function',
]);

const LIKELY_ROLES: Record<string, CanonicalRole> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  human: 'user',
  person: 'user',
  assistant: 'assistant',
  bot: 'assistant',
  gpt: 'assistant',
  model: 'assistant',
  ai: 'assistant',
  chatbot: 'assistant',
  tool: 'tool',
  function: 'tool',
  observation: 'tool',
};

const SHAREGPT_SPELLING: Record<CanonicalRole, string> = {
  system: 'system',
  user: 'human',
  assistant: 'gpt',
  tool: 'observation',
};

/** The role a trainer-minded reader would take a role string for: `Assistant`, `bot` -> assistant. */
function likelyRole(role: string): CanonicalRole | undefined {
  const lower = role.trim().toLowerCase();
  return Object.hasOwn(LIKELY_ROLES, lower) ? LIKELY_ROLES[lower] : undefined;
}

/** The turn's role, counting a fixable misspelling as the role it stands for. */
export function effectiveRole(turn: Turn): CanonicalRole | undefined {
  if (turn.canonicalRole !== undefined) return turn.canonicalRole;
  return turn.role === undefined ? undefined : likelyRole(turn.role);
}

export function isAllowedRole(role: string, format: 'chat' | 'sharegpt', config: ResolvedConfig): boolean {
  return format === 'chat' ? config.chat.allowedRoles.includes(role) : SHAREGPT_ROLES.has(role);
}

/** The allowed spelling of an unknown role, for a fix; undefined when there is no single likely one. */
export function roleReplacement(
  role: string,
  format: 'chat' | 'sharegpt',
  config: ResolvedConfig,
): string | undefined {
  const lower = role.trim().toLowerCase();
  if (isAllowedRole(lower, format, config)) return lower;
  const canonical = likelyRole(role);
  if (canonical === undefined) return undefined;
  const spelled = format === 'chat' ? canonical : SHAREGPT_SPELLING[canonical];
  return isAllowedRole(spelled, format, config) ? spelled : undefined;
}
