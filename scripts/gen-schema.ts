// Writes schemas/tunesmith.schema.json from DEFAULT_CONFIG and the rule registry, and
// schemas/data-formats.json (the formats and role spellings the trainer reads) from DATA_FORMATS
// (`npm run schema`).
import { writeFileSync } from 'node:fs';
import { buildSchema } from '../src/cli/schema.ts';
import { dataFormatsFile } from '../src/core/engine/formats.ts';
import { ALL_RULES } from '../src/core/rules/index.ts';

writeFileSync(
  new URL('../schemas/tunesmith.schema.json', import.meta.url),
  JSON.stringify(buildSchema(ALL_RULES), null, 2) + '\n',
);
writeFileSync(new URL('../schemas/data-formats.json', import.meta.url), dataFormatsFile());
