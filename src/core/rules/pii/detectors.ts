/**
 * One detector per PII code. Each has a `prefilter` on the raw line (a literal or a short regex that
 * rejects almost every line of ordinary chat text) and a `find` that runs on the scan text (values
 * only, escapes blanked; see values.ts) and returns only candidates that passed their check.
 */
import { findPhoneNumbersInText } from 'libphonenumber-js/max';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';
import validator from 'validator';
import {
  cardBrand,
  isBase58CheckAddress,
  isBech32Address,
  isEip55Checksummed,
  isPlausibleSsn,
  isValidIban,
} from './checksums.ts';
import {
  maskCard,
  maskCredentials,
  maskEmail,
  maskIban,
  maskIp,
  maskPhone,
  maskSsn,
  maskWallet,
} from './mask.ts';

export interface Candidate {
  start: number;
  end: number;
  /** The value as written (used for the exact-value allow list). */
  value: string;
  /** A domain the allow list may name (emails, URL hosts). */
  domain?: string;
  masked: string;
  /** The check the value passed, for the message: "Luhn-valid Visa number". */
  check: string;
}

export interface Detector {
  code: string;
  /** What the fix writes instead of the value. */
  placeholder: string;
  /** Noun for messages: "Email address". */
  noun: string;
  /**
   * Whether the raw line may hold a value; `hasDigit` says whether it has an ASCII digit, computed
   * once per line because most prefilters need one and most chat lines have none, so they are
   * rejected without running a regular expression over the line each.
   */
  prefilter(line: string, hasDigit: boolean): boolean;
  /**
   * Values written as space- or dash-grouped digits (cards, phones, SSNs): a candidate joined to a
   * neighbouring digit group by a separator it uses itself ("99 415 555 2671 12") was carved out of
   * a longer run and is not reported; "4111111111111111 4012-8888-8888-1881" are two cards.
   */
  groupedDigits?: boolean;
  find(scan: string, defaultRegion: string): Candidate[];
}

/** Top-level domains reserved for examples and tests (RFC 2606, RFC 6761): never a real person's. */
const RESERVED_DOMAIN =
  /(?:^|\.)(?:example\.(?:com|net|org)|[^.]+\.(?:example|test|invalid|localhost|local))$|^(?:example|test|invalid|localhost|local)$/i;
/** Addresses tutorials and forms write as placeholders: "yourname@yourdomain.com", "boss@company.com". */
const PLACEHOLDER_EMAIL_DOMAIN =
  /^(?:(?:your|my|some)(?:domain|company|email|mail|website|site|business|name)|domain|company|email|sample|example\d+|example-[a-z-]+|[a-z-]+-example)\.(?:com|net|org)$/i;
/**
 * Mailboxes of an organisation rather than of a person ("letters@theatlantic.com", "info@flix.com"),
 * which news articles and support dialogues quote: not personal data.
 */
const ROLE_EMAIL_LOCAL =
  /^(?:contactus|support|help|helpdesk|sales|press|media|news|newsdesk|letters|editor|editors|tips|newstips|feedback|webmaster|postmaster|hostmaster|abuse|hello|enquiries|inquiries|office|service|customerservice|admission|admissions|pr|noreply|no-reply|privacy|legal|jobs|careers|marketing|billing|team)$/i;
const PLACEHOLDER_EMAIL_LOCAL =
  /^(?:example|sample|you|your[._-]?(?:name|email|mail|address|user(?:name)?)?|someone|somebody|xxx+)$/i;

/** Whether an address is a reserved (RFC 2606/6761) or a placeholder one rather than a person's. */
function isPlaceholderEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return (
    RESERVED_DOMAIN.test(domain) ||
    PLACEHOLDER_EMAIL_DOMAIN.test(domain) ||
    PLACEHOLDER_EMAIL_LOCAL.test(local) ||
    ROLE_EMAIL_LOCAL.test(local)
  );
}
const PLACEHOLDER_SECRET =
  /^(?:<[^>]*>|\$\{?\w*\}?|\{\{?\s*\w*\s*\}?\}|x+|\*+|•+|\.\.\.|pass(?:word)?|secret|changeme)$/i;

function matchAll(
  regex: RegExp,
  text: string,
  each: (match: RegExpExecArray) => Candidate | undefined,
): Candidate[] {
  const out: Candidate[] = [];
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match; match = regex.exec(text)) {
    const candidate = each(match);
    if (candidate) out.push(candidate);
  }
  return out;
}

const urlCredentials: Detector = {
  code: 'pii/url-credentials',
  placeholder: '<CREDENTIALS>',
  noun: 'URL credentials',
  prefilter: (line) => line.includes('://'),
  find: (scan) =>
    matchAll(/\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s:@/?#]+):([^\s@/?#]+)@([^\s/?#:]+)/g, scan, (m) => {
      const [, scheme, user, password, host] = m as unknown as [string, string, string, string, string];
      if (PLACEHOLDER_SECRET.test(password) || PLACEHOLDER_SECRET.test(user)) return undefined;
      const start = m.index + scheme.length;
      return {
        start,
        end: start + user.length + 1 + password.length,
        value: `${user}:${password}`,
        domain: host.toLowerCase(),
        masked: maskCredentials(user, host),
        check: 'user and password embedded in a URL',
      };
    }),
};

const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const EMAIL_DOMAIN = /[A-Za-z0-9.-]/;

const email: Detector = {
  code: 'pii/email',
  placeholder: '<EMAIL>',
  noun: 'Email address',
  prefilter: (line) => line.includes('@'),
  find: (scan) => {
    const out: Candidate[] = [];
    for (let at = scan.indexOf('@'); at !== -1; at = scan.indexOf('@', at + 1)) {
      let start = at;
      while (start > 0 && EMAIL_LOCAL.test(scan[start - 1]!)) start--;
      let end = at + 1;
      while (end < scan.length && EMAIL_DOMAIN.test(scan[end]!)) end++;
      while (start < at && scan[start] === '.') start++;
      while (end > at + 1 && (scan[end - 1] === '.' || scan[end - 1] === '-')) end--;
      const value = scan.slice(start, end);
      if (start === at || end === at + 1 || !validator.isEmail(value)) continue;
      const domain = value.slice(value.indexOf('@') + 1).toLowerCase();
      if (isPlaceholderEmail(value)) continue;
      out.push({ start, end, value, domain, masked: maskEmail(value), check: 'a well-formed address' });
    }
    return out;
  },
};

const DIGIT_RUN = /\d{4}[ -]?\d{4}/;

const creditCard: Detector = {
  code: 'pii/credit-card',
  placeholder: '<CREDIT_CARD>',
  noun: 'Card number',
  prefilter: (line, hasDigit) => hasDigit && DIGIT_RUN.test(line),
  groupedDigits: true,
  find: (scan) =>
    matchAll(/(?<![\w.,-])\d(?:[ -]?\d){11,18}(?![\w]|[.,-]\d)/g, scan, (m) => {
      const value = m[0];
      const separators = new Set(value.replace(/\d/g, ''));
      if (separators.size > 1) return undefined;
      const digits = value.replace(/\D/g, '');
      const brand = cardBrand(digits);
      if (!brand) return undefined;
      // "256626720691 + 1646615806005 = …": a sum or product is a number, not a card, Luhn or not.
      if (separators.size === 0 && inArithmetic(scan, m.index, m.index + value.length)) return undefined;
      return {
        start: m.index,
        end: m.index + value.length,
        value,
        masked: maskCard(digits),
        check: `Luhn-valid ${brand} number`,
      };
    }),
};

/**
 * An operator between numbers before the value, up to an "=" and a few words ("… = The result is:"),
 * or one right after it. A bare "=" is not enough: `card = 4111…` in code is a card.
 */
const ARITHMETIC_BEFORE = /\d\s*[-+*/×÷^]\s*\d[\d\s.,]*(?:=|is)?[^a-zA-Z\d]{0,4}(?:[a-zA-Z ]{0,20}:?\s*)?$/u;
const ARITHMETIC_AFTER = /^\s*[-+*/×÷^=]\s*\d/u;

function inArithmetic(scan: string, start: number, end: number): boolean {
  return (
    ARITHMETIC_BEFORE.test(scan.slice(Math.max(0, start - 60), start)) ||
    ARITHMETIC_AFTER.test(scan.slice(end, end + 8))
  );
}

const IBAN_TEXT =
  /(?<![\w-])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{1,4}){3,8}|(?:-[A-Z0-9]{1,4}){3,8})(?!\w)/g;

const iban: Detector = {
  code: 'pii/iban',
  placeholder: '<IBAN>',
  noun: 'IBAN',
  prefilter: (line, hasDigit) => hasDigit && /[A-Z]{2}\d{2}[ -]?[A-Z0-9]{4}/.test(line),
  find: (scan) =>
    // Compact, or grouped with one separator throughout: each form unambiguous, so a long
    // near-miss cannot backtrack through every way of splitting it into groups.
    matchAll(IBAN_TEXT, scan, (m) => {
      // The greedy match may run into following capitals or digits; the IBAN is its longest prefix
      // that ends at a word boundary and passes the registry's length, format and mod-97 check.
      const text = m[0];
      for (let end = text.length; end >= 15; end--) {
        if (/[ -]/.test(text[end - 1]!) || /[A-Z0-9]/.test(text[end] ?? ' ')) continue;
        const compact = text.slice(0, end).replace(/[ -]/g, '');
        if (compact.length < 15 || compact.length > 34 || !isValidIban(compact)) continue;
        return {
          start: m.index,
          end: m.index + end,
          value: text.slice(0, end),
          masked: maskIban(compact),
          check: 'mod-97 checksum valid',
        };
      }
      return undefined;
    }),
};

const SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;

const usSsn: Detector = {
  code: 'pii/us-ssn',
  placeholder: '<SSN>',
  noun: 'US Social Security number',
  prefilter: (line, hasDigit) => hasDigit && /\d{3}[- ]\d{2}[- ]\d{4}/.test(line),
  groupedDigits: true,
  find: (scan) =>
    matchAll(SSN, scan, (m) => {
      const [value, area, , group, serial] = m as unknown as [string, string, string, string, string];
      if (!isPlausibleSsn(area, group, serial)) return undefined;
      return {
        start: m.index,
        end: m.index + value.length,
        value,
        masked: maskSsn(),
        check: 'area, group and serial in issued ranges',
      };
    }),
};

const WALLET =
  /(?<![\w])(?:bc1[02-9ac-hj-np-z]{6,87}|BC1[02-9AC-HJ-NP-Z]{6,87}|[13][1-9A-HJ-NP-Za-km-z]{25,34}|0x[0-9a-fA-F]{40})(?!\w)/g;

const BASE58 = /[1-9A-HJ-NP-Za-km-z]{25}/y;
const WORD_CHAR = /\w/;

/** /\b<lead>[1-9A-HJ-NP-Za-km-z]{25}/.test(line), `lead` a digit: from each occurrence of it. */
export function mayBeBase58Address(line: string, lead: string): boolean {
  for (let at = line.indexOf(lead); at !== -1 && at + 25 < line.length; at = line.indexOf(lead, at + 1)) {
    if (at > 0 && WORD_CHAR.test(line[at - 1]!)) continue;
    BASE58.lastIndex = at + 1;
    if (BASE58.test(line)) return true;
  }
  return false;
}

const cryptoWallet: Detector = {
  code: 'pii/crypto-wallet',
  placeholder: '<CRYPTO_WALLET>',
  noun: 'Cryptocurrency address',
  // Every alternative has a digit. The literals by `includes` and the base58 form from each "1" and
  // "3": the regex /bc1|BC1|0x|\b[13][1-9A-HJ-NP-Za-km-z]{25}/ it stands for tried every position
  // (the slowest pii prefilter on digit-bearing chat lines).
  prefilter: (line, hasDigit) =>
    hasDigit &&
    (line.includes('bc1') ||
      line.includes('BC1') ||
      line.includes('0x') ||
      mayBeBase58Address(line, '1') ||
      mayBeBase58Address(line, '3')),
  find: (scan) =>
    matchAll(WALLET, scan, (m) => {
      const value = m[0];
      let check: string | undefined;
      if (value.startsWith('0x')) {
        const hex = value.slice(2);
        if (hex === hex.toLowerCase() || hex === hex.toUpperCase())
          check = 'Ethereum address (single-case: no checksum to verify)';
        else if (isEip55Checksummed(value)) check = 'EIP-55 checksum valid Ethereum address';
      } else if (/^bc1/i.test(value)) {
        if (isBech32Address(value)) check = 'bech32 checksum valid Bitcoin address';
      } else if (isBase58CheckAddress(value)) check = 'base58check valid Bitcoin address';
      if (!check) return undefined;
      return { start: m.index, end: m.index + value.length, value, masked: maskWallet(value), check };
    }),
};

/** Ranges that do not point at a person: private, loopback, link-local, shared, documentation, multicast. */
function isNonPublicIpv4(ip: string): boolean {
  const [a, b, c] = ip.split('.').map(Number) as [number, number, number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    PUBLIC_RESOLVERS.has(ip)
  );
}

/**
 * Public resolvers people name in "ping Google's DNS" (Google, Cloudflare, Quad9, OpenDNS) and public
 * time servers: service addresses, not anyone's personal data.
 */
const PUBLIC_RESOLVERS = new Set([
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '1.0.0.1',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
  // Time servers people paste into NTP settings: NIST's (time.nist.gov and its pool), Google's, Cloudflare's.
  '192.43.244.18',
  '129.6.15.28',
  '129.6.15.29',
  '129.6.15.30',
  '132.163.96.1',
  '132.163.97.1',
  '128.138.140.44',
  '216.239.35.0',
  '216.239.35.4',
  '216.239.35.8',
  '216.239.35.12',
  '162.159.200.1',
  '162.159.200.123',
  '2001:4860:4860:0:0:0:0:8888',
  '2001:4860:4860:0:0:0:0:8844',
  '2606:4700:4700:0:0:0:0:1111',
  '2606:4700:4700:0:0:0:0:1001',
  '2620:fe:0:0:0:0:0:fe',
  '2620:fe:0:0:0:0:0:9',
]);

/** The eight 16-bit groups of a valid IPv6 text (compressed or not, with an IPv4 tail or not). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function isNonPublicIpv6(ip: string): boolean {
  const g = ipv6Groups(ip);
  if (PUBLIC_RESOLVERS.has(g.map((x) => x.toString(16)).join(':'))) return true;
  const [g0, g1] = g as [number, number];
  return (
    // Only global unicast (2000::/3) is a host on the internet; that excludes ::, ::1, ::ffff:a.b.c.d,
    // fe80::/10, fc00::/7 and multicast ff00::/8.
    (g0 & 0xe000) !== 0x2000 ||
    (g0 === 0x2001 && g1 === 0x0db8) || // documentation, RFC 3849
    (g0 & 0xfff0) === 0x3ff0 // documentation, RFC 9637 (3fff::/20)
  );
}

const IPV6_TAIL = /[0-9a-fA-F]{0,4}:/y;
const HEX = /[0-9a-fA-F]/;

/**
 * Whether the line matches `/[0-9a-fA-F]:[0-9a-fA-F]{0,4}:/`, tried only at colons after a hex digit:
 * every JSON line has colons but few follow a hex digit, and the regular expression itself tries
 * every hex letter of the line as a start.
 */
export function mayBeIpv6(line: string): boolean {
  for (let at = line.indexOf(':', 1); at !== -1; at = line.indexOf(':', at + 1)) {
    if (!HEX.test(line[at - 1]!)) continue;
    IPV6_TAIL.lastIndex = at + 1;
    if (IPV6_TAIL.test(line)) return true;
  }
  return false;
}

/** Addresses exercises write as placeholders, as they write 555 numbers ("is 123.45.67.89 valid?"). */
const PLACEHOLDER_IPV4 = new Set(['123.45.67.89', '12.34.56.78', '1.2.3.4', '11.22.33.44']);

/** "version 1.2.3.4", "v1.2.3.4", "build 10.0.19041.1": dotted numbers that are versions, not hosts. */
const VERSION_CONTEXT = /(?:\bv|\bversion\s*|\bver\.?\s*|\bbuild\s*|\brelease\s*)$/i;

/** Every RFC 4291/5952 text form: full, "::"-compressed anywhere, with a dotted IPv4 tail. */
const IPV6 =
  /(?<![\w:.])(?:[0-9a-fA-F]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F]{0,4})(?![\w:]|\.\d)/g;

const ipAddress: Detector = {
  code: 'pii/ip-address',
  placeholder: '<IP_ADDRESS>',
  noun: 'IP address',
  prefilter: (line, hasDigit) => (hasDigit && /\d\.\d{1,3}\.\d{1,3}\.\d/.test(line)) || mayBeIpv6(line),
  find: (scan) => [
    // Not the dotted tail of an IPv6 address ("::ffff:192.0.2.1"), which the IPv6 pattern reads whole.
    ...matchAll(/(?<![\d.]|[0-9a-fA-F:]:)(?:\d{1,3}\.){3}\d{1,3}(?![\d]|\.\d)/g, scan, (m) => {
      const value = m[0];
      if (!validator.isIP(value, 4) || isNonPublicIpv4(value) || PLACEHOLDER_IPV4.has(value))
        return undefined;
      if (VERSION_CONTEXT.test(scan.slice(Math.max(0, m.index - 10), m.index))) return undefined;
      // "8.8.8.0/24": a network's prefix in a routing table or an ASN lookup, not a host of anyone's.
      if (/^\/\d{1,2}(?!\d)/.test(scan.slice(m.index + value.length, m.index + value.length + 4)))
        return undefined;
      return {
        start: m.index,
        end: m.index + value.length,
        value,
        masked: maskIp(value),
        check: 'a public IPv4 address',
      };
    }),
    ...matchAll(IPV6, scan, (m) => {
      const value = m[0];
      // "12:30:45" is no IPv6 text; "dead::beef" is, but only 2000::/3 is routed (isNonPublicIpv6),
      // so public compressed forms with few groups ("2a00:1450::1") are kept.
      if (!validator.isIP(value, 6) || isNonPublicIpv6(value)) return undefined;
      return {
        start: m.index,
        end: m.index + value.length,
        value,
        masked: maskIp(value),
        check: 'a public IPv6 address',
      };
    }),
  ],
};

/** North American numbers 555-0100 to 555-0199 are reserved for fiction. */
const FICTIONAL_NANP = /^\d{3}55501\d{2}$/;

/** Digit runs with the separators phone numbers use; libphonenumber only reads these, not whole lines. */
const PHONE_RUN = /(?<![\d.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d(?:[ .-]?\d){5,14}(?!\d)/g;
/** Dates and dotted versions that PHONE_RUN also matches: "2024-05-01 42" reads as a valid US number. */
const NOT_A_PHONE =
  /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b\d{1,3}\.\d{1,3}\.\d{1,3}\b(?!\.?\d{4})/;

function phoneRuns(text: string): RegExpExecArray[] {
  const runs: RegExpExecArray[] = [];
  PHONE_RUN.lastIndex = 0;
  for (let m = PHONE_RUN.exec(text); m; m = PHONE_RUN.exec(text)) {
    // A bare run of digits is far more often an order number or an ID than a phone number.
    // Numbers mixing dots and spaces ("3.14 2.72") are decimals in prose, not one phone number.
    const mixed = m[0].includes('.') && m[0].includes(' ');
    if (/[+\s().-]/.test(m[0]) && !mixed && !NOT_A_PHONE.test(m[0])) runs.push(m);
  }
  return runs;
}

/** Digit offsets where a new group starts ("415 555-2671" → 3, 6); a leading "+" is not a digit. */
function groupStarts(text: string): { digits: string; starts: number[] } {
  const starts: number[] = [];
  let digits = '';
  let gap = false;
  for (const char of text) {
    if (char >= '0' && char <= '9') {
      if (gap && digits.length > 0) starts.push(digits.length);
      digits += char;
      gap = false;
    } else gap = true;
  }
  return { digits, starts };
}

/**
 * Whether the written grouping agrees with how the number's own country writes it (libphonenumber's
 * national or international format): every written group break falls on a break of the formatted
 * number, after any written prefix ("1-", "+49 ") the format leaves out. "1 2 3 4 5 6 7 8 9 10"
 * and "28980-18480" parse as valid numbers but are written in no country's grouping. This is the
 * STRICT_GROUPING leniency libphonenumber-js's matcher does not offer (only POSSIBLE and VALID).
 */
function hasPhoneGrouping(value: string, number: PhoneNumber): boolean {
  const written = groupStarts(value);
  return (['NATIONAL', 'INTERNATIONAL'] as const).some((format) => {
    const formatted = groupStarts(number.format(format));
    if (!written.digits.endsWith(formatted.digits.replace(/^0/, ''))) return false;
    const formattedDigits = written.digits.endsWith(formatted.digits)
      ? formatted.digits
      : formatted.digits.slice(1);
    const shift = written.digits.length - formattedDigits.length;
    const breaks = new Set(
      formatted.starts.map((at) => at - (formatted.digits.length - formattedDigits.length)),
    );
    return written.starts.every((at) => at <= shift || breaks.has(at - shift));
  });
}

const phone: Detector = {
  code: 'pii/phone',
  placeholder: '<PHONE>',
  noun: 'Phone number',
  prefilter: (line, hasDigit) => hasDigit && phoneRuns(line).length > 0,
  groupedDigits: true,
  find: (scan, defaultRegion) => {
    const out: Candidate[] = [];
    for (const run of phoneRuns(scan)) {
      const options = { defaultCountry: defaultRegion as CountryCode };
      for (const found of findPhoneNumbersInText(run[0], options)) {
        const value = run[0].slice(found.startsAt, found.endsAt);
        const number = found.number;
        if (!/[+\s().-]/.test(value) || !number.isValid() || !hasPhoneGrouping(value, number)) continue;
        if (number.countryCallingCode === '1' && FICTIONAL_NANP.test(number.nationalNumber)) continue;
        // Toll-free and shared-cost lines are organisations' (hotlines, tip lines, help desks), not a person's.
        if (number.getType() === 'TOLL_FREE' || number.getType() === 'SHARED_COST') continue;
        out.push({
          start: run.index + found.startsAt,
          end: run.index + found.endsAt,
          value,
          masked: maskPhone(value),
          check: `valid ${number.country ?? `+${number.countryCallingCode}`} number`,
        });
      }
    }
    return withoutSequences(out);
  },
};

/** How many numbers in a row, each one more than the last, make an enumeration rather than contacts. */
const SEQUENCE_LENGTH = 3;

/**
 * The candidates less those in a run of consecutive numbers ("213-484-0480, 213-484-0481, …", a
 * people-search page listing a block): an enumeration, not anyone's number.
 */
function withoutSequences(candidates: Candidate[]): Candidate[] {
  if (candidates.length < SEQUENCE_LENGTH) return candidates;
  const numbers = candidates.map((c) => Number(c.value.replace(/\D/g, '')));
  const inSequence = new Array<boolean>(candidates.length).fill(false);
  let start = 0;
  for (let i = 1; i <= numbers.length; i++) {
    if (i < numbers.length && numbers[i] === numbers[i - 1]! + 1) continue;
    if (i - start >= SEQUENCE_LENGTH) inSequence.fill(true, start, i);
    start = i;
  }
  return candidates.filter((_, i) => !inSequence[i]);
}

/**
 * In order of precedence: where two detectors match overlapping text (a card number that also reads
 * as a phone number), only the earlier one reports.
 */
export const DETECTORS: readonly Detector[] = [
  urlCredentials,
  email,
  // Before cards and phones: an IBAN's digits after the country letters may pass Luhn too.
  iban,
  creditCard,
  usSsn,
  cryptoWallet,
  ipAddress,
  phone,
];
