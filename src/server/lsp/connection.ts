/**
 * The server's connection to its client. Over stdio the message reader is made here rather than by
 * vscode-languageserver, which drops a frame it cannot read (no Content-Length, a body that is not
 * JSON) without a word: ours says so in the log. Over IPC, what the extension uses, messages arrive
 * already parsed, and the library logs any that is not a request, response or notification.
 */
import { format } from 'node:util';
import {
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  createConnection,
  type Connection,
  type DataCallback,
  type Disposable,
} from 'vscode-languageserver/node';

/** Notes a `shutdown` request as it passes, for the exit code when the client closes stdin. */
class StdinReader extends StreamMessageReader {
  shutdownReceived = false;

  override listen(callback: DataCallback): Disposable {
    return super.listen((message) => {
      if ((message as { method?: unknown }).method === 'shutdown') this.shutdownReceived = true;
      callback(message);
    });
  }
}

export function createServerConnection(): Connection {
  if (!process.argv.includes('--stdio')) return createConnection(ProposedFeatures.all);
  const reader = new StdinReader(process.stdin);
  const connection = createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  reader.onError((error) =>
    connection.console.error(`Dropped a message the client sent that cannot be read: ${error.message}`),
  );
  // What the library does for the stdio it sets up itself: stop when the client goes away (0 after
  // a shutdown request), and keep console output off stdout, where it would corrupt the protocol.
  reader.onClose(() => process.exit(reader.shutdownReceived ? 0 : 1));
  const log =
    (to: (message: string) => void) =>
    (...args: unknown[]): void =>
      to(format(...args));
  console.log = console.info = console.debug = log((m) => connection.console.log(m));
  console.warn = log((m) => connection.console.warn(m));
  console.error = log((m) => connection.console.error(m));
  return connection;
}
