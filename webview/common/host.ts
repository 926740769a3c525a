/**
 * The page's side of the webview API, typed by the panel's protocol (src/shared/*-protocol.ts): what
 * the page may post to the extension and the state it persists for the panel's serializer. VS Code
 * lets a page acquire the API once, so each page calls `acquireHost` once, at the top of its main.
 */
interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface Host<Posted, State> {
  postMessage(message: Posted): void;
  setState(state: State): void;
  /** What the page saved before a reload: untrusted until the panel's state guard says otherwise. */
  getState(): unknown;
}

export const acquireHost = <Posted, State = never>(): Host<Posted, State> => acquireVsCodeApi();

/**
 * Calls `handle` with each message from the extension that `guard` (the protocol's, generated from
 * its schema) accepts; a message of any other shape is dropped, not half-applied, and said in the
 * console under `panel`.
 */
export function onHostMessage<Received>(
  panel: string,
  guard: (value: unknown) => value is Received,
  handle: (message: Received) => void,
): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (guard(event.data)) handle(event.data);
    else console.warn(`${panel}: ignored a message of unknown shape`);
  });
}
