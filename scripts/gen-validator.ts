// Writes src/shared/run-config-validate.generated.ts: schemas/run-config.schema.json (the schema the
// trainer validates with) compiled ahead of time by ajv's standalone mode, because the webview's CSP
// blocks the `new Function` that ajv's runtime compile needs (`npm run schema`).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validatorSource } from '../src/shared/validator-source.ts';

const target = fileURLToPath(new URL('../src/shared/run-config-validate.generated.ts', import.meta.url));
writeFileSync(target, validatorSource());
