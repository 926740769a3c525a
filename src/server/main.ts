/** The language server's entry point (bundled to dist/server.cjs); the client starts it over IPC or stdio. */
import { ALL_CHECKERS } from '../core/rules/index.ts';
import { createServerConnection } from './lsp/connection.ts';
import { startServer } from './lsp/server.ts';

startServer(createServerConnection(), ALL_CHECKERS);
