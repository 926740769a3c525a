/** The language server with the test checkers, for the protocol tests (run with `node --import tsx`). */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from '../../src/server/lsp/server.ts';
import { TEST_CHECKERS } from './checkers.ts';

startServer(createConnection(ProposedFeatures.all), TEST_CHECKERS);
