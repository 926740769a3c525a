// Writes schemas/tunesmith.schema.json from DEFAULT_CONFIG and the rule registry (`npm run schema`).
import { writeFileSync } from 'node:fs';
import { buildSchema } from '../src/cli/schema.ts';
import { ALL_RULES } from '../src/server/rules/index.ts';

writeFileSync(
  new URL('../schemas/tunesmith.schema.json', import.meta.url),
  JSON.stringify(buildSchema(ALL_RULES), null, 2) + '\n',
);
