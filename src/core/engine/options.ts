/**
 * The vocabulary rule options are declared in (see `src/core/rules/declarations.ts`). Each builder
 * returns the option's JSON Schema and the guard `resolveConfig` reads a raw value with, made from the
 * same arguments, so what the schema promises and what the resolver accepts cannot drift apart.
 * Written here rather than validating with Ajv at run time: Ajv compiles with `new Function`, and
 * `resolveConfig` must stay cheap and bundle-free in the editor and the CLI alike.
 */

export type JsonSchema = Record<string, unknown>;

export interface Option<T> {
  readonly kind: 'option';
  readonly default: T;
  /** One sentence, shown in `tunesmith.json` completions and in the editor's Settings. */
  readonly description: string;
  /** Markdown for the editor's Settings page alone, where it says more than `description` (links, restarts). */
  readonly settingDescription?: string;
  /** The JSON Schema of the value, without `description` and `default` (added from the fields above). */
  readonly schema: JsonSchema;
  /** What the warning says was expected: "a positive number". */
  readonly expected: string;
  /** The value to use, or undefined when `raw` is not acceptable (the default is used and a warning given). */
  read(raw: unknown): T | undefined;
}

interface Section<O extends Options = Options> {
  readonly kind: 'section';
  readonly description: string;
  readonly options: O;
}

type Declaration = Option<unknown> | Section;
export type Options = Readonly<Record<string, Declaration>>;

/** The resolved value type of a declaration tree: an option's value, or an object of a section's values. */
export type ValuesOf<O extends Options> = {
  -readonly [K in keyof O]: O[K] extends Option<infer T>
    ? T
    : O[K] extends Section<infer S>
      ? ValuesOf<S>
      : never;
};

export function section<O extends Options>(description: string, options: O): Section<O> {
  return { kind: 'section', description, options };
}

export function option<T>(declaration: Omit<Option<T>, 'kind'>): Option<T> {
  return { kind: 'option', ...declaration };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** A list of strings (globs, roles, keys). */
export function strings(
  description: string,
  defaultValue: string[],
  expected: string,
  settingDescription?: string,
): Option<string[]> {
  return option({
    description,
    ...(settingDescription !== undefined ? { settingDescription } : {}),
    default: defaultValue,
    schema: { type: 'array', items: { type: 'string' } },
    expected,
    read: (raw) => (isStringArray(raw) ? raw : undefined),
  });
}

export function positiveNumber(description: string, defaultValue: number): Option<number> {
  return option({
    description,
    default: defaultValue,
    schema: { type: 'number', exclusiveMinimum: 0 },
    expected: 'a positive number',
    read: (raw) => (typeof raw === 'number' && Number.isFinite(raw) && raw > 0 ? raw : undefined),
  });
}

/** A number in (0, 1]: a similarity, a fraction. */
export function unitInterval(description: string, defaultValue: number): Option<number> {
  return option({
    description,
    default: defaultValue,
    schema: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    expected: 'a number in (0, 1]',
    read: (raw) => (typeof raw === 'number' && raw > 0 && raw <= 1 ? raw : undefined),
  });
}

export function nonEmptyString(description: string, defaultValue: string, expected: string): Option<string> {
  return option({
    description,
    default: defaultValue,
    schema: { type: 'string', minLength: 1 },
    expected,
    read: (raw) => (typeof raw === 'string' && raw.length > 0 ? raw : undefined),
  });
}

/** Every option with its dotted path (`tokens.max`), in declaration order. */
export function optionPaths(options: Options, prefix = ''): [string, Option<unknown>][] {
  const out: [string, Option<unknown>][] = [];
  for (const [key, declaration] of Object.entries(options)) {
    const path = prefix + key;
    if (declaration.kind === 'option') out.push([path, declaration]);
    else for (const entry of optionPaths(declaration.options, `${path}.`)) out.push(entry);
  }
  return out;
}

/** The defaults of a declaration tree, as a fresh object. */
export function defaultsOf<O extends Options>(options: O): ValuesOf<O> {
  const out: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(options)) {
    out[key] =
      declaration.kind === 'option' ? structuredClone(declaration.default) : defaultsOf(declaration.options);
  }
  return out as ValuesOf<O>;
}
