/**
 * The language server with the test checkers, for the protocol tests (run with `node --import tsx`).
 * With `--echo-lines` it runs the line echo alone, whose diagnostics spell out the server's copy;
 * with `--workspace-checker`, the test checkers and a test-only cross-file rule.
 */
import { createServerConnection } from '../../src/server/lsp/connection.ts';
import { startServer } from '../../src/server/lsp/server.ts';
import { ECHO_CHECKERS, TEST_CHECKERS, WORKSPACE_TEST_CHECKERS } from './checkers.ts';

startServer(
  createServerConnection(),
  process.argv.includes('--echo-lines')
    ? ECHO_CHECKERS
    : process.argv.includes('--workspace-checker')
      ? WORKSPACE_TEST_CHECKERS
      : TEST_CHECKERS,
);
