// Writes src/shared/validators.generated.ts: the guards of schemas/ compiled ahead of time by ajv's
// standalone mode (see src/shared/validator-source.ts; `npm run schema`).
import { writeFileSync } from 'node:fs';
import { GENERATED_MODULE, validatorSource } from '../src/shared/validator-source.ts';

writeFileSync(GENERATED_MODULE, validatorSource());
