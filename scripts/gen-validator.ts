// Writes each src/shared/*-validate.generated.ts: a schema of schemas/ compiled ahead of time by ajv's
// standalone mode (see src/shared/validator-source.ts; `npm run schema`).
import { writeFileSync } from 'node:fs';
import { GENERATED_VALIDATORS, generatedModule, validatorSource } from '../src/shared/validator-source.ts';

for (const { schema, module } of GENERATED_VALIDATORS)
  writeFileSync(generatedModule(module), validatorSource(schema));
