/**
 * The form's fields, methods and presets, as data. Paths are the run config's (schemas/run-config.
 * schema.json), so a validation error's field finds its input; defaults are the schema's.
 */
export type Method = 'lora' | 'qlora' | 'partial' | 'full' | 'prompt_tuning';

export interface Field {
  path: string;
  label: string;
  kind: 'int' | 'number' | 'text' | 'list' | 'enum' | 'bool';
  value: string | boolean;
  options?: string[];
  /** The methods that use the field; all when absent. */
  methods?: Method[];
  help?: string;
  group: 'data' | 'method' | 'training';
}

export const METHODS: { id: Method; label: string; help: string }[] = [
  {
    id: 'lora',
    label: 'LoRA',
    help: 'Trains small low-rank adapters next to frozen weights: little memory, quick, the usual choice.',
  },
  {
    id: 'qlora',
    label: 'QLoRA',
    help: 'LoRA on a 4-bit quantised base model: the least memory, a little slower; needs a CUDA GPU.',
  },
  {
    id: 'partial',
    label: 'Partial (layer freezing)',
    help: 'Trains only the last layers of the model in full and freezes the rest.',
  },
  {
    id: 'full',
    label: 'Full fine-tuning',
    help: 'Trains every weight: the most memory (weights, gradients and optimizer states for all of them).',
  },
  {
    id: 'prompt_tuning',
    label: 'Prompt tuning',
    help: 'Learns a few virtual tokens put before every input; the model itself is not changed.',
  },
];

const LORA: Method[] = ['lora', 'qlora'];

export const FIELDS: Field[] = [
  { group: 'data', path: 'data.max_length', label: 'Max length (tokens)', kind: 'int', value: '1024' },
  { group: 'method', path: 'method.lora.r', label: 'LoRA rank r', kind: 'int', value: '16', methods: LORA },
  {
    group: 'method',
    path: 'method.lora.alpha',
    label: 'LoRA alpha',
    kind: 'number',
    value: '32',
    methods: LORA,
  },
  {
    group: 'method',
    path: 'method.lora.dropout',
    label: 'LoRA dropout',
    kind: 'number',
    value: '0',
    methods: LORA,
  },
  {
    group: 'method',
    path: 'method.qlora.quant_type',
    label: '4-bit type',
    kind: 'enum',
    options: ['nf4', 'fp4'],
    value: 'nf4',
    methods: ['qlora'],
  },
  {
    group: 'method',
    path: 'method.qlora.double_quant',
    label: 'Double quantisation',
    kind: 'bool',
    value: true,
    methods: ['qlora'],
  },
  {
    group: 'method',
    path: 'method.partial.layers',
    label: 'Layers to train',
    kind: 'int',
    value: '2',
    methods: ['partial'],
    help: 'The last N layers; a negative N trains the first |N|.',
  },
  {
    group: 'method',
    path: 'method.partial.modules',
    label: 'Extra modules',
    kind: 'list',
    value: '',
    methods: ['partial'],
    help: 'Comma-separated, e.g. lm_head, model.norm',
  },
  {
    group: 'method',
    path: 'method.prompt_tuning.num_virtual_tokens',
    label: 'Virtual tokens',
    kind: 'int',
    value: '20',
    methods: ['prompt_tuning'],
  },
  {
    group: 'method',
    path: 'method.prompt_tuning.init_text',
    label: 'Initial text',
    kind: 'text',
    value: '',
    methods: ['prompt_tuning'],
  },
  { group: 'training', path: 'training.epochs', label: 'Epochs', kind: 'number', value: '3' },
  { group: 'training', path: 'training.batch_size', label: 'Batch size', kind: 'int', value: '4' },
  {
    group: 'training',
    path: 'training.gradient_accumulation',
    label: 'Gradient accumulation',
    kind: 'int',
    value: '1',
  },
  {
    group: 'training',
    path: 'training.learning_rate',
    label: 'Learning rate',
    kind: 'number',
    value: '0.0002',
  },
  { group: 'training', path: 'training.warmup_ratio', label: 'Warmup ratio', kind: 'number', value: '0.03' },
  {
    group: 'training',
    path: 'training.scheduler',
    label: 'Scheduler',
    kind: 'enum',
    options: ['linear', 'cosine', 'constant', 'constant_with_warmup'],
    value: 'cosine',
  },
  { group: 'training', path: 'training.logging_steps', label: 'Log every (steps)', kind: 'int', value: '10' },
  { group: 'training', path: 'training.eval_steps', label: 'Evaluate every (steps)', kind: 'int', value: '' },
  {
    group: 'training',
    path: 'training.save_steps',
    label: 'Checkpoint every (steps)',
    kind: 'int',
    value: '200',
  },
  {
    group: 'training',
    path: 'training.gradient_checkpointing',
    label: 'Gradient checkpointing (less memory, slower)',
    kind: 'bool',
    value: false,
  },
];

interface Preset {
  id: string;
  label: string;
  help: string;
  values: Record<string, string>;
}

export const PRESETS: Preset[] = [
  {
    id: 'tiny',
    label: 'Tiny demo',
    help: 'For the demo model: a CPU run of about ten seconds that learns the task (Evaluate: exact match 0% → 100%, token F1 0.04 → 1.00, chrF 4 → 100).',
    values: {
      'data.max_length': '32',
      'method.lora.r': '16',
      'method.lora.alpha': '32',
      'training.epochs': '6',
      'training.batch_size': '16',
      'training.gradient_accumulation': '1',
      'training.learning_rate': '0.005',
      'training.warmup_ratio': '0.05',
      'training.logging_steps': '2',
      'training.eval_steps': '10',
      'training.save_steps': '50',
    },
  },
  {
    id: 'quick',
    label: 'Quick check',
    help: 'One epoch with frequent logs, to see that the data and settings work.',
    values: {
      'training.epochs': '1',
      'training.batch_size': '4',
      'training.gradient_accumulation': '1',
      'training.learning_rate': '0.0002',
      'training.warmup_ratio': '0.03',
      'training.logging_steps': '5',
      'training.eval_steps': '50',
      'training.save_steps': '200',
    },
  },
  {
    id: 'standard',
    label: 'Standard',
    help: 'Three epochs at an effective batch of 16: a sound start for most tasks.',
    values: {
      'training.epochs': '3',
      'training.batch_size': '4',
      'training.gradient_accumulation': '4',
      'training.learning_rate': '0.0002',
      'training.warmup_ratio': '0.03',
      'training.logging_steps': '10',
      'training.eval_steps': '100',
      'training.save_steps': '200',
    },
  },
  {
    id: 'careful',
    label: 'Careful',
    help: 'A lower learning rate, longer warmup and frequent evaluation: slower, less likely to overfit.',
    values: {
      'training.epochs': '2',
      'training.batch_size': '4',
      'training.gradient_accumulation': '8',
      'training.learning_rate': '0.0001',
      'training.warmup_ratio': '0.1',
      'training.logging_steps': '10',
      'training.eval_steps': '50',
      'training.save_steps': '100',
    },
  },
];

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * A field's typed value for the config, or undefined to leave it out (the trainer's default). Text
 * that is not a number stays text, so the schema reports it ("must be a number").
 */
export function parseField(field: Field, raw: string | boolean): unknown {
  if (field.kind === 'bool') return raw === true;
  const text = String(raw).trim();
  if (text === '') return undefined;
  if (field.kind === 'int' || field.kind === 'number') return NUMBER.test(text) ? Number(text) : text;
  if (field.kind === 'list') {
    const items = text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    return items.length > 0 ? items : undefined;
  }
  return text;
}

/** Sets `value` at a dotted path, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}
