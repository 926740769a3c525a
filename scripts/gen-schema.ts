// Writes, from the declarations in src/core/rules/declarations.ts and the rule registry,
// schemas/tunesmith.schema.json and the tunesmith.json settings in package.json's
// contributes.configuration (the editor-only settings there are kept as they are), and
// schemas/data-formats.json (the formats and role spellings the trainer reads) from DATA_FORMATS
// (`npm run schema`).
import { readFileSync, writeFileSync } from 'node:fs';
import { buildSchema, buildSettings } from '../src/core/engine/config-schema.ts';
import { dataFormatsFile } from '../src/core/engine/formats.ts';
import { ALL_RULES } from '../src/core/rules/index.ts';
import { SETTING_KEYS } from '../src/shared/settings.ts';

writeFileSync(
  new URL('../schemas/tunesmith.schema.json', import.meta.url),
  JSON.stringify(buildSchema(ALL_RULES), null, 2) + '\n',
);

const manifestUrl = new URL('../package.json', import.meta.url);
const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
};
const generated = new Set(SETTING_KEYS.map((key) => `tunesmith.${key}`));
const editorOnly = Object.entries(manifest.contributes.configuration.properties).filter(
  ([key]) => !generated.has(key),
);
manifest.contributes.configuration.properties = { ...buildSettings(), ...Object.fromEntries(editorOnly) };
writeFileSync(manifestUrl, JSON.stringify(manifest, null, 2) + '\n');

writeFileSync(new URL('../schemas/data-formats.json', import.meta.url), dataFormatsFile());
