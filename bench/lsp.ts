/**
 * Latency of the language server as an editor sees it: a real LSP client over stdio drives the
 * bundled server (dist/server.cjs) on a 35,000-line (~40 MB) chat document.
 *
 *   npm run bench:lsp            # or: node --import tsx bench/lsp.ts [--lines N] [--edits N]
 *   npm run bench:lsp -- --pairs 2000     # the same document with 2,000 duplicate pairs
 *   npm run bench:lsp -- --profile DIR    # and a CPU profile of the server, written to DIR
 *   npm run bench:lsp -- --copies 1000000 # 1,000,000 lines of one example, from disk and as a document
 *
 * Prints the time from didOpen to its complete diagnostics; p50/p95 from a one-line didChange (200
 * edits at random lines) to the first diagnostics published for that version (the edited lines, and
 * the whole-file findings the edit cannot have changed) and to the complete ones; the same for
 * pasted lines, which move every line below, and for a block of 200 lines pasted in the middle and
 * deleted again (target: complete p95 under 50 ms); typing at one key every 20 ms without waiting for the
 * server (what a person does), from each key to the first publication that includes it; and the
 * server's peak RSS (VmHWM from /proc); for the blocks, the server's CPU time too (a figure that
 * holds on a loaded machine), of all its threads and of the main thread alone. Target: p95 at most 30 ms from didChange to diagnostics, whatever
 * the number of findings.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/lsp/client.ts';
import { seededRandom } from '../src/core/split/plan.ts';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const LINES = arg('lines', 35_000);
const EDITS = arg('edits', 200);
/** Lines that repeat the line before them exactly (each one a `consistency/duplicate` finding). */
const PAIRS = arg('pairs', 0);
const KEYS = arg('keys', 100);
/** `--copies N`: only the scenario of N lines of one example (N - 1 duplicates). */
const COPIES = arg('copies', 0);
const KEY_INTERVAL_MS = 20;

const WORDS = (
  'account billing cluster deploy error export invoice latency metric network password project quota region ' +
  'replica request restart rollback schedule secret service storage subscription token upgrade volume webhook ' +
  'the a to of and in for on with when your is it can we you please after before because'
).split(' ');

function sentence(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(random() * WORDS.length)]!);
  const text = out.join(' ');
  return text[0]!.toUpperCase() + text.slice(1) + '.';
}

/**
 * ~40 MB of chat examples (~1.15 KB a line), with a few planted duplicates and PII values; with
 * `pairs`, that many lines spread over the file copy the line before them.
 */
function dataset(lines: number, pairs: number): string {
  const random = seededRandom(42);
  const out: string[] = [];
  const every = pairs > 0 ? Math.floor(lines / pairs) : 997;
  let copies = 0;
  for (let i = 0; i < lines; i++) {
    if (i > 0 && i % every === 0 && (pairs === 0 || copies++ < pairs)) {
      out.push(out[i - 1]!);
      continue;
    }
    const question = sentence(random, 12) + (i % 1500 === 0 ? ' Reach me at someone@gmail.com.' : '');
    const answer = Array.from({ length: 7 }, () => sentence(random, 21)).join(' ');
    out.push(
      JSON.stringify({
        messages: [
          { role: 'system', content: 'You are a concise support assistant for a cloud hosting company.' },
          { role: 'user', content: question },
          { role: 'assistant', content: answer },
        ],
      }),
    );
  }
  return out.join('\n') + '\n';
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * CPU time of a process so far, in ms (`schedstat`: nanoseconds on a CPU), or NaN without /proc:
 * of every thread, and of the main thread alone (the event loop, whose time an edit waits for; the
 * others are V8's: parallel scavenges and concurrent marking, optimising compilers). Unlike wall
 * time, it does not count waiting for a CPU on a shared, loaded machine.
 */
function cpuMs(pid: number): { all: number; main: number } {
  const read = (task: string): number =>
    Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  try {
    let all = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) all += read(task);
    return { all, main: read(String(pid)) };
  } catch {
    return { all: NaN, main: NaN };
  }
}

function peakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const dataDir = join(ROOT, 'bench/.data');
mkdirSync(dataDir, { recursive: true });
execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });

/** `--profile DIR`: the server writes a CPU profile there when it exits (open it in Chrome DevTools). */
const profileAt = process.argv.indexOf('--profile');
const profile =
  profileAt === -1 ? [] : ['--cpu-prof', '--cpu-prof-dir', resolve(process.argv[profileAt + 1]!)];
const startServer = (): Promise<LspClient> =>
  LspClient.start({
    command: [process.execPath, ...profile, join(ROOT, 'dist/server.cjs'), '--stdio'],
    waitMs: 20 * 60_000,
  });
const row = (label: string, value: string): string => `  ${label.padEnd(46)} ${value}`;

/**
 * N lines of one example, each a duplicate of the first: linted from disk (what the extension has the
 * server do with a file over 50 MB, which VS Code does not send) and opened as a document (what
 * another editor may send), each in a fresh server. Time to the first diagnostics and the server's
 * peak RSS; for the document, one keystroke too.
 */
async function copies(n: number): Promise<void> {
  const example = JSON.stringify({
    messages: [
      { role: 'user', content: 'How do I reset my password?' },
      { role: 'assistant', content: 'Open Settings, then Security.' },
    ],
  });
  const path = join(dataDir, `lsp-copies-${n}.jsonl`);
  if (!existsSync(path)) writeFileSync(path, `${example}\n`.repeat(n));
  const megabytes = (statSync(path).size / 1e6).toFixed(0);
  console.log(
    `LSP over stdio, dist/server.cjs, ${n.toLocaleString()} copies of one example (${megabytes} MB)`,
  );

  const fromDisk = await startServer();
  const diskUri = pathToFileURL(path).href;
  let start = performance.now();
  const published = fromDisk.nextDiagnostics(diskUri);
  await fromDisk.connection.sendNotification('tunesmith/diskFile', { uri: diskUri, open: true });
  const shown = (await published).diagnostics.length;
  const diskMs = performance.now() - start;
  const diskRss = peakRssMb(fromDisk.process.pid!);
  await fromDisk.stop();
  console.log(row('from disk: first diagnostics', `${(diskMs / 1000).toFixed(1)} s (${shown} shown)`));
  console.log(row('from disk: server peak RSS', `${diskRss?.toFixed(0) ?? 'n/a'} MB`));

  const asDocument = await startServer();
  const uri = 'file:///bench/copies.jsonl';
  const text = readFileSync(path, 'utf8');
  start = performance.now();
  await asDocument.open(uri, text);
  const openMs = performance.now() - start;
  const line = Math.floor(n / 2);
  const at = example.indexOf('reset');
  start = performance.now();
  await asDocument.change(uri, [
    { range: { start: { line, character: at }, end: { line, character: at } }, text: 'x' },
  ]);
  const keyMs = performance.now() - start;
  const documentRss = peakRssMb(asDocument.process.pid!);
  await asDocument.stop();
  console.log(row('as a document: didOpen → complete diagnostics', `${(openMs / 1000).toFixed(1)} s`));
  console.log(row('as a document: a keystroke → complete diagnostics', `${keyMs.toFixed(0)} ms`));
  console.log(row('as a document: server peak RSS', `${documentRss?.toFixed(0) ?? 'n/a'} MB`));
}

if (COPIES > 0) {
  await copies(COPIES);
  process.exit(0);
}

const file = join(dataDir, `lsp-chat-${LINES}${PAIRS ? `-pairs${PAIRS}` : ''}.jsonl`);
if (!existsSync(file)) writeFileSync(file, dataset(LINES, PAIRS));
const text = readFileSync(file, 'utf8');
const lines = text.split('\n');
const client = await startServer();
const uri = 'file:///bench/chat.jsonl';
const openStart = performance.now();
const first = await client.open(uri, text);
const openMs = performance.now() - openStart;

const random = seededRandom(7);
/** Sends one edit; resolves with the times to the first and to the complete diagnostics of it. */
async function timed(change: Parameters<LspClient['change']>[1]): Promise<[number, number]> {
  const start = performance.now();
  const first = client.nextDiagnostics(uri, client.version(uri) + 1).then(() => performance.now() - start);
  await client.change(uri, change);
  return [await first, performance.now() - start];
}

const latencies: number[] = [];
const completes: number[] = [];
for (let i = 0; i < EDITS; i++) {
  // Type one character into the user's question of a random example: the edit a person makes.
  const line = Math.floor(random() * (lines.length - 1));
  const character = lines[line]!.indexOf('"role":"user","content":"') + 26;
  const [firstMs, completeMs] = await timed([
    { range: { start: { line, character }, end: { line, character } }, text: i % 2 ? 'x' : 'y' },
  ]);
  latencies.push(firstMs);
  completes.push(completeMs);
}
latencies.sort((a, b) => a - b);
completes.sort((a, b) => a - b);
// Pasting a whole example as a new line moves every line below it: their facts are re-keyed.
const pastes: number[] = [];
const pastesComplete: number[] = [];
for (let i = 0; i < EDITS / 4; i++) {
  const line = Math.floor(random() * (lines.length - 1));
  const [firstMs, completeMs] = await timed([
    {
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      text: lines[(line * 7) % 1000]! + '\n',
    },
  ]);
  pastes.push(firstMs);
  pastesComplete.push(completeMs);
}
pastes.sort((a, b) => a - b);
pastesComplete.sort((a, b) => a - b);
// A block of 200 lines pasted in the middle of the document, then deleted again (the document ends
// as it began): every line below moves by 200 either way.
const BLOCK = 200;
const blockPastes: number[] = [];
const blockDeletes: number[] = [];
/** The server's CPU time for each (all threads, main thread), the figures that hold on a loaded machine. */
const blockPastesCpu: number[] = [];
const blockDeletesCpu: number[] = [];
const blockPastesMain: number[] = [];
const blockDeletesMain: number[] = [];
const withCpu = async (
  change: Parameters<LspClient['change']>[1],
  wall: number[],
  cpu: number[],
  main: number[],
): Promise<void> => {
  const before = cpuMs(client.process.pid!);
  wall.push((await timed(change))[1]);
  const after = cpuMs(client.process.pid!);
  cpu.push(after.all - before.all);
  main.push(after.main - before.main);
};
for (let i = 0; i < EDITS / 10; i++) {
  const line = Math.floor(lines.length / 4 + random() * (lines.length / 2));
  const from = Math.floor(random() * (lines.length - BLOCK - 1));
  const block = lines.slice(from, from + BLOCK).join('\n') + '\n';
  const at = (l: number) => ({ line: l, character: 0 });
  const paste = [{ range: { start: at(line), end: at(line) }, text: block }];
  await withCpu(paste, blockPastes, blockPastesCpu, blockPastesMain);
  const deletion = [{ range: { start: at(line), end: at(line + BLOCK) }, text: '' }];
  await withCpu(deletion, blockDeletes, blockDeletesCpu, blockDeletesMain);
}
for (const list of [
  blockPastes,
  blockDeletes,
  blockPastesCpu,
  blockDeletesCpu,
  blockPastesMain,
  blockDeletesMain,
])
  list.sort((a, b) => a - b);

/**
 * Typing without waiting: one key every 20 ms into one example, a new example every 10 keys. Each
 * key's latency runs to the first diagnostics published for its version or a later one (the server
 * coalesces a burst into one publication). A server slower than the keys falls behind, and every
 * latency after that grows.
 */
const typed: number[] = [];
{
  const sentAt = new Map<number, number>();
  let published = client.version(uri);
  let lastVersion = Infinity; // known once the last key is sent
  let caughtUp = (): void => {};
  const seen = new Promise<void>((resolve) => (caughtUp = resolve));
  client.onPublish((params) => {
    if (params.uri !== uri || params.version === undefined || params.version <= published) return;
    const now = performance.now();
    for (let v = published + 1; v <= params.version; v++) typed.push(now - sentAt.get(v)!);
    published = params.version;
    if (published >= lastVersion) caughtUp();
  });
  let line = 0;
  let character = 0;
  for (let i = 0; i < KEYS; i++) {
    if (i % 10 === 0) {
      line = Math.floor(random() * (lines.length - 1));
      character = lines[line]!.indexOf('"role":"user","content":"') + 26;
    }
    sentAt.set(client.version(uri) + 1, performance.now());
    const range = { start: { line, character }, end: { line, character } };
    const version = await client.send(uri, [{ range, text: 'k' }]);
    if (i === KEYS - 1) lastVersion = version;
    character++;
    await new Promise((resolve) => setTimeout(resolve, KEY_INTERVAL_MS));
  }
  if (published >= lastVersion) caughtUp();
  await seen;
}
typed.sort((a, b) => a - b);
const rss = peakRssMb(client.process.pid!);
await client.stop();

const mb = (Buffer.byteLength(text) / 1e6).toFixed(1);
console.log(
  `LSP over stdio, dist/server.cjs, ${LINES.toLocaleString()} lines (${mb} MB, ${PAIRS.toLocaleString()} duplicate pairs), ${EDITS} one-line edits`,
);
console.log(row('didOpen → complete diagnostics', `${openMs.toFixed(0)} ms (${first.length} diagnostics)`));
console.log(row('didChange → diagnostics, p50', `${percentile(latencies, 50).toFixed(1)} ms`));
console.log(
  row('didChange → diagnostics, p95', `${percentile(latencies, 95).toFixed(1)} ms (target ≤ 30 ms)`),
);
console.log(row('didChange → diagnostics, max', `${latencies.at(-1)!.toFixed(1)} ms`));
const pair = (a: number[]): string => `${percentile(a, 50).toFixed(1)} / ${percentile(a, 95).toFixed(1)} ms`;
console.log(row('didChange → complete diagnostics, p50 / p95', pair(completes)));
console.log(row(`line inserted (${pastes.length} pastes): first, p50 / p95`, pair(pastes)));
console.log(row(`line inserted: complete, p50 / p95`, pair(pastesComplete)));
console.log(row(`${BLOCK} lines pasted (${blockPastes.length}): complete, p50 / p95`, pair(blockPastes)));
console.log(row(`${BLOCK} lines deleted (${blockDeletes.length}): complete, p50 / p95`, pair(blockDeletes)));
console.log(row(`${BLOCK} lines pasted: server CPU, p50 / p95`, pair(blockPastesCpu)));
console.log(row(`${BLOCK} lines deleted: server CPU, p50 / p95`, pair(blockDeletesCpu)));
console.log(row(`${BLOCK} lines pasted: main thread CPU, p50 / p95`, pair(blockPastesMain)));
console.log(row(`${BLOCK} lines deleted: main thread CPU, p50 / p95`, pair(blockDeletesMain)));
console.log(row(`typing, a key every ${KEY_INTERVAL_MS} ms: first, p50 / p95`, pair(typed)));
console.log(row('server peak RSS', rss === undefined ? 'n/a (no /proc)' : `${rss.toFixed(0)} MB`));
