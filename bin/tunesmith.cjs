#!/usr/bin/env node
// The `tunesmith` command: loads the bundled CLI (`npm run build` makes it).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`tunesmith: ${bundle} is missing; run \`npm run build\` first.\n`);
  process.exit(2);
}
require(bundle);
