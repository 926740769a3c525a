/**
 * Masked forms of PII values for messages: enough to tell two findings apart and to recognise a
 * value one already knows, never enough to recover it. Diagnostics are copied into logs, CI output
 * and bug reports, so they must not spread the data they warn about.
 */
const DOT = '•';

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const lastDot = domain.lastIndexOf('.');
  const tld = lastDot > 0 ? domain.slice(lastDot) : '';
  return `${local[0] ?? ''}${DOT.repeat(3)}@${domain[0] ?? ''}${DOT.repeat(3)}${tld}`;
}

/** `•••• •••• •••• 4242`: groups of four for every digit but the last four. */
export function maskCard(digits: string): string {
  const hidden = Math.ceil((digits.length - 4) / 4);
  return `${`${DOT.repeat(4)} `.repeat(hidden)}${digits.slice(-4)}`;
}

export function maskIban(compact: string): string {
  return `${compact.slice(0, 2)}${DOT.repeat(2)} ${DOT.repeat(4)} ${compact.slice(-4)}`;
}

export function maskSsn(): string {
  return `${DOT.repeat(3)}-${DOT.repeat(2)}-${DOT.repeat(4)}`;
}

/** Every digit but the last two hidden; the separators stay so the shape is recognisable. */
export function maskPhone(raw: string): string {
  const digitCount = raw.replace(/\D/g, '').length;
  let seen = 0;
  return raw.replace(/\d/g, (digit) => (++seen > digitCount - 2 ? digit : DOT));
}

export function maskIp(ip: string): string {
  if (ip.includes(':')) return `${ip.split(':')[0] || ''}:${DOT.repeat(4)}:${DOT.repeat(4)}:…`;
  return `${ip.split('.')[0]}.${DOT.repeat(3)}.${DOT.repeat(3)}.${DOT.repeat(3)}`;
}

export function maskWallet(address: string): string {
  return `${address.slice(0, 4)}${DOT.repeat(3)}${address.slice(-3)}`;
}

export function maskCredentials(user: string, host: string): string {
  return `${user[0] ?? ''}${DOT.repeat(3)}:${DOT.repeat(3)}@${host}`;
}
