/** The language server's entry point (bundled to dist/server.cjs); the client starts it over IPC or stdio. */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { ALL_CHECKERS } from './rules/index.ts';
import { startServer } from './lsp/server.ts';

startServer(createConnection(ProposedFeatures.all), ALL_CHECKERS);
