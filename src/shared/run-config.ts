/**
 * Validation of a run config with the schema the trainer uses (schemas/run-config.schema.json),
 * compiled ahead of time (validators.generated.ts) so that it runs under a webview's CSP.
 * Each error is tied to its field (a dotted path such as `method.lora.r`) and said in plain words.
 */
import { runConfig } from './validators.generated.ts';

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
const validate = runConfig as unknown as Validate;

export interface FieldError {
  field: string;
  message: string;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'must be a whole number',
  number: 'must be a number',
  string: 'must be text',
  boolean: 'must be true or false',
  object: 'must be a group of settings',
  array: 'must be a list',
};

function plainWords(error: AjvError): string | undefined {
  const { keyword, params } = error;
  switch (keyword) {
    case 'type':
      return TYPE_WORDS[String(params['type'])] ?? `must be of type ${String(params['type'])}`;
    case 'minimum':
      return `must be at least ${String(params['limit'])}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(params['limit'])}`;
    case 'maximum':
      return `must be at most ${String(params['limit'])}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(params['limit'])}`;
    case 'enum':
      return `must be one of: ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'minLength':
    case 'required':
      return 'is required';
    case 'minItems':
      return 'needs at least one entry';
    case 'additionalProperties':
      return 'is not a setting the trainer knows';
    default:
      return undefined; // oneOf and friends: the branch errors before them say it better
  }
}

function fieldOf(error: AjvError): string {
  const path = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') path.push(String(error.params['missingProperty']));
  if (error.keyword === 'additionalProperties') path.push(String(error.params['additionalProperty']));
  return path.join('.');
}

/** The config's problems, at most one per field, in plain words; empty when the trainer accepts it. */
export function validateRunConfig(config: unknown): FieldError[] {
  if (validate(config)) return [];
  const byField = new Map<string, string>();
  for (const error of validate.errors ?? []) {
    const field = fieldOf(error);
    const message = plainWords(error);
    if (message && !byField.has(field)) byField.set(field, message);
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}
