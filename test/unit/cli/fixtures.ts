/** Lines with known findings, shared by the CLI tests. */
export const EMAIL =
  '{"messages":[{"role":"user","content":"mail bob.smith@gmail.com now"},{"role":"assistant","content":"ok"}]}';
/** Column (0-based) where the email starts in EMAIL, and where it ends. */
export const EMAIL_START = EMAIL.indexOf('bob.smith');
export const EMAIL_END = EMAIL_START + 'bob.smith@gmail.com'.length;
export const CLEAN = '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}';
export const BROKEN = '{bad';
export const UNKNOWN_ROLE = '{"messages":[{"role":"usr","content":"x"},{"role":"assistant","content":"y"}]}';

export function chat(user: string, assistant: string): string {
  return JSON.stringify({
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
  });
}

/** About `bytes` of chat lines with one email each: every line gets a fix. */
export function emails(bytes: number): string {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    lines.push(chat(`mail user${i}@gmail.com about order ${i}`, `done ${i}`));
    size += lines[lines.length - 1]!.length + 1;
  }
  return lines.join('\n') + '\n';
}
