// One generated module holds every guard (src/shared/validators.generated.ts); a page's bundle must
// keep only the validators that page calls. A root schema's validator names the schema's URL (its
// `sourceURL`, and `$id` where the schema object is kept), so the URLs in a bundle say what it kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const ROOT = new URL('../../', import.meta.url);

const bundledSchemas = async (page: string): Promise<string[]> => {
  const result = await esbuild.build({
    entryPoints: [new URL(`webview/${page}/main.ts`, ROOT).pathname],
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const urls = code.matchAll(/tunesmith\.dev\/schemas\/([\w-]+\.schema\.json)/g);
  return [...new Set([...urls].map((match) => match[1]!))].sort();
};

test("each webview page bundles only its own messages' validators, not every schema's", async () => {
  assert.deepEqual(await bundledSchemas('compare'), []);
  assert.deepEqual(await bundledSchemas('dataset'), []);
  assert.deepEqual(await bundledSchemas('dataset-compare'), []);
  assert.deepEqual(await bundledSchemas('run'), ['events.schema.json']);
  assert.deepEqual(await bundledSchemas('new-run'), ['run-config.schema.json']);
  assert.deepEqual(await bundledSchemas('evaluation'), ['evaluation-report.schema.json']);
});
