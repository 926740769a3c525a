/**
 * One planner, one result: on random files `tunesmith fix` (the CLI, in-process, writing bytes) and the
 * editor's Fix All (the real language server with every rule, over LSP, its WorkspaceEdit applied as
 * an editor applies it) give byte-identical files, and every byte outside the fixes' ranges is the
 * file's own. The files mix lines with fixes that overlap (an email inside a duplicate line, inside a
 * line converted by format/drift, an email running into a token) and that touch (a line-ending fix
 * followed by deleting the next, blank or duplicate, line), CRLF and LF, a BOM, a missing final
 * newline, and non-ASCII text (CJK, emoji, right-to-left).
 *
 * Lone CRs are left out: the editor (LSP) counts a lone CR as a line break, files on disk are split at
 * '\n' alone (engine/types.ts, `LineEnding`), so the two lint different lines by design.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import {
  CodeActionRequest,
  DidCloseTextDocumentNotification,
  type CodeAction,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { cli, tempDir } from '../unit/cli/helpers.ts';
import { LspClient, applyEdits } from './client.ts';

const SERVER = [process.execPath, '--import', 'tsx', 'src/server/main.ts', '--stdio'];
const BOM = '\uFEFF';

let client: LspClient;
before(async () => {
  client = await LspClient.start({ command: SERVER });
});
after(async () => {
  await client.stop();
});

const dir = tempDir('fix-parity');

const EMAIL = 'jane.doe@gmail.com';
const TOKEN = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const CARD = '4111 1111 1111 1111';
const piece = fc.constantFrom(
  'hello',
  ' ',
  EMAIL,
  TOKEN,
  CARD,
  'call 415-555-0132',
  '日本語のテキスト',
  '😀👍🏽',
  'مرحبا بالعالم',
  'héllo wörld',
  '\t',
);
const content = fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));

const demoLines = ['chat', 'syntax', 'format', 'pii', 'secrets', 'consistency']
  .flatMap((name) => readFileSync(new URL(`../../demo/${name}.jsonl`, import.meta.url), 'utf8').split('\n'))
  .map((line) => line.replace(/\r$/, ''))
  .filter((line, i, all) => line !== '' && all.indexOf(line) === i);

/** A line of a dataset; `{ copy: n }` repeats the line n back (a duplicate, deleted by its fix). */
type LineSpec = string | { copy: number };

const lineSpec: fc.Arbitrary<LineSpec> = fc.oneof(
  fc
    .record({
      user: content,
      answer: content,
      // An answer with surrounding whitespace (consistency/answer-whitespace trims it).
      pad: fc.constantFrom('', '  ', ' \n'),
      key: fc.constantFrom('content', 'content', 'contnet'),
    })
    .map(({ user, answer, pad, key }) =>
      JSON.stringify({
        messages: [
          { role: 'user', [key]: user },
          { role: 'assistant', content: answer + pad },
        ],
      }),
    ),
  // Another format in a chat file: format/drift converts the whole line, over the email in it.
  content.map((text) => JSON.stringify({ instruction: text, input: '', output: 'done' })),
  fc.constantFrom(...demoLines),
  fc.constantFrom('', '   ', '{bad'),
  fc.integer({ min: 1, max: 4 }).map((copy) => ({ copy })),
);

const fileArb = fc.record({
  lines: fc.array(fc.tuple(lineSpec, fc.constantFrom('\n', '\n', '\r\n')), { minLength: 1, maxLength: 14 }),
  bom: fc.boolean(),
  finalNewline: fc.boolean(),
});

function textOf({ lines, finalNewline }: { lines: [LineSpec, string][]; finalNewline: boolean }): string {
  const texts: string[] = [];
  for (const [spec] of lines)
    texts.push(typeof spec === 'string' ? spec : (texts[texts.length - spec.copy] ?? texts[0] ?? '{}'));
  let text = texts.map((line, i) => line + lines[i]![1]).join('');
  if (!finalNewline) text = text.replace(/\r?\n$/, '');
  return text;
}

let documents = 0;

/** The server's Fix All edits for `text`, opened as an editor opens a file (a BOM is not in the text). */
async function fixAllEdits(text: string): Promise<TextEdit[]> {
  const uri = `file:///virtual/parity-${++documents}.jsonl`;
  await client.open(uri, text);
  const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [], only: ['source.fixAll.tunesmith'] },
  })) as CodeAction[] | null;
  await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  const change = actions?.[0]?.edit?.documentChanges?.[0];
  if (!change) return [];
  assert.ok('textDocument' in change && change.textDocument.version === 1, 'a versioned edit of version 1');
  return change.edits as TextEdit[];
}

/** Character offset of an LSP position in a text whose line breaks are '\n' or '\r\n'. */
function offsetsOf(text: string): (p: TextEdit['range']['start']) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (p) => (p.line < starts.length ? Math.min(starts[p.line]! + p.character, text.length) : text.length);
}

test('property: tunesmith fix and the editor’s Fix All make byte-identical files', async () => {
  let run = 0;
  const seen = { fixed: 0, skipped: 0, lineStartSeams: 0, nonAscii: 0 };
  await fc.assert(
    fc.asyncProperty(fileArb, async (file) => {
      const text = textOf(file);
      const name = `p${run++}.jsonl`;
      writeFileSync(join(dir, name), (file.bom ? BOM : '') + text);
      const fixed = await cli(['fix', name, '--threads', '0'], dir);
      assert.equal(fixed.code, 0, fixed.stderr);

      const edits = await fixAllEdits(text);
      const fromEditor = Buffer.from((file.bom ? BOM : '') + applyEdits(text, edits), 'utf8');
      assert.ok(
        fixed.bytes.equals(fromEditor),
        `fix and Fix All differ on ${JSON.stringify(text)}\n  fix:     ${JSON.stringify(fixed.bytes.toString('utf8'))}\n  Fix All: ${JSON.stringify(fromEditor.toString('utf8'))}\n${fixed.stderr}`,
      );

      // Every byte outside the edits' ranges is the file's own: the output is the file's text between
      // the edits, in order, with each edit's new text in its place (and the edits never overlap).
      const offset = offsetsOf(text);
      const ranges = edits
        .map((edit) => ({ start: offset(edit.range.start), end: offset(edit.range.end), text: edit.newText }))
        .sort((a, b) => a.start - b.start || a.end - b.end);
      let expected = file.bom ? BOM : '';
      let cursor = 0;
      for (const range of ranges) {
        assert.ok(range.start >= cursor && range.end >= range.start, 'edits do not overlap');
        expected += text.slice(cursor, range.start) + range.text;
        cursor = range.end;
      }
      expected += text.slice(cursor);
      assert.ok(fixed.bytes.equals(Buffer.from(expected, 'utf8')), 'bytes outside the fixes are unchanged');

      if (edits.length > 0) seen.fixed++;
      if (/skipped \d+ overlapping/.test(fixed.stderr)) seen.skipped++;
      if (ranges.some((range, i) => i > 0 && range.start === ranges[i - 1]!.end)) seen.lineStartSeams++;
      if (edits.length > 0 && /\P{ASCII}/u.test(text)) seen.nonAscii++;
    }),
    { numRuns: 120 },
  );
  // The runs exercised what the property is about: fixes, conflicts, touching fixes, non-ASCII text.
  assert.ok(seen.fixed > 60, `runs with fixes: ${JSON.stringify(seen)}`);
  assert.ok(seen.skipped > 10, `runs with skipped (overlapping) fixes: ${JSON.stringify(seen)}`);
  assert.ok(seen.lineStartSeams > 5, `runs with fixes meeting at a line start: ${JSON.stringify(seen)}`);
  assert.ok(seen.nonAscii > 20, `runs with fixes on non-ASCII text: ${JSON.stringify(seen)}`);
});
