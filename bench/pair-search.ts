/**
 * The semantic rules' pair search (src/core/semantic/pair-index.ts), run by `npm run bench:semantic`:
 * the IVF index over 100,000 clustered vectors (wall, CPU, the index's bytes and the process's memory),
 * its recall against comparing every pair on 10,000 (clustered vectors, and with `--real` the model's
 * embeddings of templated support prompts), and the exact loop's time on a few thousand, for scale.
 */
import { loadavg } from 'node:os';
import { DEFAULT_CONFIG } from '../src/core/engine/config.ts';
import { Embedder } from '../src/core/semantic/embedder.ts';
import { Gemm } from '../src/core/semantic/gemm.ts';
import { defaultModelDir, findEmbeddingModel } from '../src/core/semantic/model.ts';
import { exactBestEarlier, IvfIndex, type Match } from '../src/core/semantic/pair-index.ts';
import { clusteredVectors } from '../test/clustered-vectors.ts';

const THRESHOLD = DEFAULT_CONFIG.semantic.threshold;

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function timed<T>(run: () => Promise<T> | T): Promise<{ result: T; wall: number; cpu: number }> {
  const [wall0, cpu0] = [performance.now(), cpuSeconds()];
  const result = await run();
  return { result, wall: (performance.now() - wall0) / 1000, cpu: cpuSeconds() - cpu0 };
}

async function indexed(vectors: readonly Float32Array[], gemm: Gemm) {
  return timed(async () => {
    const index = await IvfIndex.build(vectors, gemm);
    return { matches: await index.search(vectors, THRESHOLD, true), bytes: index.bytes };
  });
}

/** Pairs the rules would report (each vector's best earlier one) found identically, and the total. */
function recall(exact: readonly (Match | undefined)[], got: readonly (Match | undefined)[]): string {
  let [total, same, extra] = [0, 0, 0];
  exact.forEach((want, i) => {
    if (!want) return void (got[i] && extra++);
    total++;
    if (got[i]?.index === want.index && got[i]?.cosine === want.cosine) same++;
  });
  return `${(same / total).toFixed(4)} (${same} of ${total} pairs${extra ? `, ${extra} not in the exact` : ''})`;
}

/** Support prompts from templates: many phrasings of one intent about one subject are paraphrases. */
function supportPrompts(count: number): string[] {
  const subjects = (
    'password account invoice refund order subscription parcel flight booking hotel room router ' +
    'printer laptop phone tablet playlist album podcast ticket seat meal recipe oven fridge ' +
    'washing machine car insurance policy loan mortgage credit card debit card bank transfer ' +
    'email address phone number shipping address profile picture username newsletter coupon ' +
    'gift card warranty repair appointment prescription doctor visit gym membership library card ' +
    'train pass parking permit tax return pension plan electricity bill water bill internet plan'
  ).split(/ (?=[a-z])/);
  const intents = [
    ['How do I reset my S?', 'I forgot my S, how can I change it?', 'What are the steps to reset the S?'],
    ['How can I cancel my S?', 'I want to stop my S, how do I do that?', 'Is it possible to cancel a S?'],
    ['Where can I find my S?', 'I cannot locate my S, where is it?', 'Where is the S shown?'],
    ['Why was my S rejected?', 'My S got declined, why?', 'What could cause a S to be refused?'],
    ['How much does a S cost?', 'What is the price of a S?', 'Is a S expensive?'],
    [
      'Can I transfer my S to someone else?',
      'Is my S transferable to a friend?',
      'How do I give my S to another person?',
    ],
    [
      'How do I update the details of my S?',
      'I need to edit my S information.',
      'Where do I change my S settings?',
    ],
  ];
  const tails = [
    '',
    ' Please help.',
    ' I am on my phone.',
    ' It is urgent.',
    ' Thanks in advance!',
    ' I tried twice already.',
    ' This is for my mother.',
    ' I live in Canada.',
    ' The website keeps failing.',
    ' Can you explain it simply?',
  ];
  const out = new Set<string>();
  for (let i = 0; out.size < count; i++) {
    const subject = subjects[(i * 7) % subjects.length]!;
    const phrasings = intents[(i * 3) % intents.length]!;
    const phrasing = phrasings[Math.floor(i / 5) % phrasings.length]!;
    const tail = tails[Math.floor(i / 11) % tails.length]!;
    const number = i % 3 === 0 ? '' : ` (case ${Math.floor(i / 97)})`;
    out.add(phrasing.replaceAll('S', subject) + tail + number);
  }
  return [...out];
}

async function realVectors(count: number): Promise<Float32Array[] | undefined> {
  const files = findEmbeddingModel(defaultModelDir());
  if (!files) return undefined;
  const embedder = await Embedder.load(files);
  try {
    return await embedder.embed(supportPrompts(count));
  } finally {
    await embedder.dispose();
  }
}

export async function pairSearchBench(options: { large: number; recallOn: number; real: boolean }) {
  const gemm = await Gemm.create();
  try {
    const rss0 = process.memoryUsage().rss;
    const large = clusteredVectors(options.large, { seed: 1 });
    const vectorsMB = (options.large * large[0]!.length * 4) / 1e6;
    const run = await indexed(large, gemm);
    const rssMB = (process.memoryUsage().rss - rss0) / 1e6;
    const found = run.result.matches.filter(Boolean).length;
    console.log(
      `\n### Pair search (threshold ${THRESHOLD}), ${new Date().toISOString()}, load average ${loadavg()[0]!.toFixed(1)}`,
    );
    console.log('| measure | value |\n| --- | ---: |');
    console.log(
      `| IVF index, ${options.large.toLocaleString('en')} clustered vectors: wall (CPU) | ${run.wall.toFixed(1)} s (${run.cpu.toFixed(1)} s), ${found} matches |`,
    );
    console.log(
      `| index memory beyond the vectors (${vectorsMB.toFixed(0)} MB) | ${(run.result.bytes / 1e6).toFixed(1)} MB; RSS grew ${rssMB.toFixed(0)} MB with the vectors |`,
    );
    const sets: [string, Float32Array[] | undefined][] = [
      ['clustered vectors', clusteredVectors(options.recallOn, { seed: 2 })],
    ];
    if (options.real) sets.push(['support prompts, all-MiniLM-L6-v2', await realVectors(options.recallOn)]);
    for (const [name, vectors] of sets) {
      if (!vectors) {
        console.log(`| recall, ${name} | no model (scripts/setup-embedding-model.sh) |`);
        continue;
      }
      const index = await indexed(vectors, gemm);
      const exact = await timed(() => exactBestEarlier(vectors, THRESHOLD));
      console.log(
        `| recall, ${vectors.length.toLocaleString('en')} ${name} | ${recall(exact.result, index.result.matches)} |`,
      );
      console.log(
        `| time there: index / every pair in JavaScript (CPU) | ${index.cpu.toFixed(2)} s / ${exact.cpu.toFixed(1)} s |`,
      );
    }
  } finally {
    await gemm.dispose();
  }
}
