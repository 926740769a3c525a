/**
 * A seeded reference corpus of chat JSONL with planted issues (PII, secrets, duplicates, format drift,
 * broken lines), cached in bench/.data by seed and size so that runs compare like with like.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../src/core/split/plan.ts';

export const DATA_DIR = new URL('./.data/', import.meta.url).pathname;

const WORDS = (
  'the model data train token answer question result value function return error system user assistant ' +
  'please explain how why what when where which could would should example list table summary report ' +
  'customer order invoice shipping refund account password reset email address phone number support ' +
  'python javascript array string object class method import export module package install version ' +
  'weather travel recipe chicken garlic onion minutes oven degrees paris london tokyo museum ticket price'
).split(' ');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface CorpusCounts {
  lines: number;
  emails: number;
  phones: number;
  cards: number;
  secrets: number;
  duplicates: number;
  drift: number;
  broken: number;
}

class Generator {
  readonly counts: CorpusCounts = {
    lines: 0,
    emails: 0,
    phones: 0,
    cards: 0,
    secrets: 0,
    duplicates: 0,
    drift: 0,
    broken: 0,
  };
  private readonly recent: string[] = [];

  constructor(private readonly random: () => number) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.random() * alphabet.length)];
    return out;
  }

  private sentence(words: number): string {
    const parts: string[] = [];
    for (let i = 0; i < words; i++) parts.push(this.pick(WORDS));
    const text = parts.join(' ');
    return text[0]!.toUpperCase() + text.slice(1) + '.';
  }

  private paragraph(): string {
    const sentences: string[] = [];
    const count = 2 + Math.floor(this.random() * 12);
    for (let i = 0; i < count; i++) sentences.push(this.sentence(6 + Math.floor(this.random() * 14)));
    return sentences.join(' ');
  }

  private cardNumber(): string {
    const digits = [4, ...Array.from({ length: 14 }, () => Math.floor(this.random() * 10))];
    let sum = 0;
    for (let i = 0; i < 15; i++) {
      let d = digits[14 - i]!;
      if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    digits.push((10 - (sum % 10)) % 10);
    return digits.join('').replace(/(\d{4})(?=\d)/g, '$1 ');
  }

  /** Plants at most one issue in a user turn. */
  private plant(text: string): string {
    const roll = this.random();
    if (roll < 0.01) {
      this.counts.emails++;
      return `${text} You can reach me at ${this.pick(WORDS)}.${this.pick(WORDS)}${Math.floor(this.random() * 100)}@gmail.com.`;
    }
    if (roll < 0.015) {
      this.counts.phones++;
      return `${text} Call me on +1 (650) 253-${String(1000 + Math.floor(this.random() * 8999))}.`;
    }
    if (roll < 0.018) {
      this.counts.cards++;
      return `${text} My card is ${this.cardNumber()}.`;
    }
    if (roll < 0.021) {
      this.counts.secrets++;
      return this.random() < 0.5
        ? `${text} My token is ghp_${this.chars(ALNUM, 36)} please check it.`
        : `${text} Use AKIA${this.chars(UPPER.slice(0, 26), 16)} as the access key.`;
    }
    return text;
  }

  line(): string {
    this.counts.lines++;
    const roll = this.random();
    if (roll < 0.02 && this.recent.length > 0) {
      this.counts.duplicates++;
      return this.pick(this.recent);
    }
    if (roll < 0.021) {
      this.counts.broken++;
      return `{"messages": [{"role": "user", "content": "${this.sentence(8)}"}, {"role": "assist`;
    }
    const messages: { role: string; content: string }[] = [];
    if (this.random() < 0.9) messages.push({ role: 'system', content: 'You are a helpful assistant.' });
    const turns = 1 + Math.floor(this.random() * 2);
    for (let i = 0; i < turns; i++) {
      messages.push({ role: 'user', content: this.plant(this.paragraph()) });
      messages.push({ role: 'assistant', content: this.paragraph() });
    }
    let value: unknown = { messages };
    if (roll < 0.026) {
      this.counts.drift++;
      value =
        this.random() < 0.5
          ? { prompt: messages[1]?.content ?? '', completion: messages[2]?.content ?? '' }
          : {
              messages: messages.map((m) => ({ ...m, role: m.role === 'assistant' ? 'Assistant' : m.role })),
            };
    }
    const text = JSON.stringify(value);
    if (this.recent.length < 2000) this.recent.push(text);
    else if (this.random() < 0.01) this.recent[Math.floor(this.random() * this.recent.length)] = text;
    return text;
  }
}

async function write(path: string, produce: (write: (text: string) => Promise<void>) => Promise<void>) {
  mkdirSync(DATA_DIR, { recursive: true });
  const temp = `${path}.partial`;
  const out = createWriteStream(temp);
  await produce(
    (text) =>
      new Promise<void>((resolve) => {
        if (out.write(text)) resolve();
        else out.once('drain', resolve);
      }),
  );
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  renameSync(temp, path);
}

/** The same corpus in memory, for small sizes (the golden-findings test uses 2 MB). */
export function corpusText(seed: number, targetBytes: number): string {
  const generator = new Generator(seededRandom(seed));
  const lines: string[] = [];
  let bytes = 0;
  while (bytes < targetBytes) {
    const line = generator.line() + '\n';
    bytes += Buffer.byteLength(line);
    lines.push(line);
  }
  return lines.join('');
}

/**
 * The corpus of about `targetBytes`, generated once per seed and size. The 1 GB file is the same
 * generator run longer rather than the 120 MB file copied: copies would all be duplicates or
 * near-duplicates of the first, and the duplicate report, not the linter, would be what is measured.
 */
export async function corpus(seed: number, targetBytes: number): Promise<string> {
  const path = join(DATA_DIR, `corpus-${seed}-${targetBytes}.jsonl`);
  if (existsSync(path)) return path;
  const generator = new Generator(seededRandom(seed));
  await write(path, async (emit) => {
    let bytes = 0;
    let chunk = '';
    while (bytes < targetBytes) {
      const line = generator.line() + '\n';
      bytes += Buffer.byteLength(line);
      chunk += line;
      if (chunk.length > 1 << 20) {
        await emit(chunk);
        chunk = '';
      }
    }
    await emit(chunk);
  });
  return path;
}

/**
 * Templated, repetitive chat lines of about 1.3 KB, the shape of support and classification data:
 * the same system prompt and answer templates on every line with a few slots filled in, so the
 * per-line cost of the engine (rather than the volume of novel text) is what is measured.
 */
class TemplatedGenerator {
  private readonly products = [
    'router X200',
    'Acme laptop',
    'smart thermostat',
    'wireless earbuds',
    'the mobile app',
  ];
  private readonly problems = [
    'does not turn on after the latest update',
    'keeps disconnecting from the network every few minutes',
    'shows an error code when I try to sign in',
    'was charged twice on my last invoice',
    'arrived with a cracked screen and missing cable',
  ];
  private readonly labels = ['hardware', 'connectivity', 'account', 'billing', 'shipping'];
  private ticket = 100_000;

  constructor(private readonly random: () => number) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  line(): string {
    const kind = Math.floor(this.random() * this.problems.length);
    const product = this.pick(this.products);
    const days = 1 + Math.floor(this.random() * 30);
    const ticket = this.ticket++;
    const system =
      'You are a support agent for Acme. Classify the ticket into one of: hardware, connectivity, account, ' +
      'billing, shipping. Then reply politely in at most five sentences, restate the problem, give the next ' +
      'step, and never ask for passwords or full card numbers. Answer in the customer language.';
    const user =
      `Ticket #${ticket}. Hello, my ${product} ${this.problems[kind]}. I bought it ${days} days ago and I ` +
      `have already tried restarting it, resetting it to factory settings and reinstalling the software, ` +
      `but nothing helped. I use it every day for work, so this is urgent for me. Could you tell me what ` +
      `to do next and whether this is covered by the warranty? Thank you for your help.`;
    const assistant =
      `Category: ${this.labels[kind]}. Thank you for contacting Acme support about ticket #${ticket}. I am ` +
      `sorry that your ${product} ${this.problems[kind]}; I understand how disruptive that is when you ` +
      `rely on it for work. Since you bought it ${days} days ago it is covered by the warranty. Please ` +
      `open the Acme support portal, choose "Start a repair" and enter ticket #${ticket}; we will send a ` +
      `prepaid label within one business day. Is there anything else I can help you with today?`;
    return JSON.stringify({
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
        { role: 'assistant', content: assistant },
      ],
    });
  }
}

/** `lines` templated support lines (see TemplatedGenerator), generated once per seed and count. */
export async function templatedCorpus(seed: number, lines: number): Promise<string> {
  const path = join(DATA_DIR, `templated-${seed}-${lines}.jsonl`);
  if (existsSync(path)) return path;
  const generator = new TemplatedGenerator(seededRandom(seed));
  await write(path, async (emit) => {
    let chunk = '';
    for (let i = 0; i < lines; i++) {
      chunk += generator.line() + '\n';
      if (chunk.length > 1 << 20) {
        await emit(chunk);
        chunk = '';
      }
    }
    await emit(chunk);
  });
  return path;
}
