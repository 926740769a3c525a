/**
 * Checksums that turn "looks like a number" into "is a number of this kind": a value that fails its
 * checksum is not reported. Luhn comes from validator, IBAN from ibantools (it carries the SWIFT IBAN
 * registry's per-country lengths and formats, including countries validator lacks such as BY and LY); the cryptocurrency checks are written
 * here because no chosen library implements them (validator's `isBtcAddress`/`isEthereumAddress` only
 * match the shape, without the checksum).
 */
import { createHash } from 'node:crypto';
import { isValidIBAN } from 'ibantools';
import validator from 'validator';

interface CardBrand {
  name: string;
  /** Does the number (digits only) start with one of this brand's issuer prefixes? */
  matches(digits: string): boolean;
  lengths: readonly number[];
}

const prefixIn = (digits: string, size: number, low: number, high: number): boolean => {
  const prefix = Number(digits.slice(0, size));
  return prefix >= low && prefix <= high;
};

/** Issuer identification ranges and the lengths each brand issues (ISO/IEC 7812 as the networks publish it). */
const CARD_BRANDS: readonly CardBrand[] = [
  { name: 'American Express', matches: (d) => /^3[47]/.test(d), lengths: [15] },
  { name: 'Visa', matches: (d) => d.startsWith('4'), lengths: [13, 16, 19] },
  {
    name: 'Mastercard',
    matches: (d) => prefixIn(d, 2, 51, 55) || prefixIn(d, 4, 2221, 2720),
    lengths: [16],
  },
  {
    name: 'Discover',
    matches: (d) => d.startsWith('6011') || d.startsWith('65') || prefixIn(d, 3, 644, 649),
    lengths: [16, 17, 18, 19],
  },
  { name: 'JCB', matches: (d) => prefixIn(d, 4, 3528, 3589), lengths: [16, 17, 18, 19] },
  {
    name: 'Diners Club',
    matches: (d) => prefixIn(d, 3, 300, 305) || /^3(?:6|8|9)/.test(d),
    lengths: [14, 15, 16, 17, 18, 19],
  },
  { name: 'UnionPay', matches: (d) => d.startsWith('62'), lengths: [16, 17, 18, 19] },
  { name: 'UATP', matches: (d) => d.startsWith('1'), lengths: [15] },
  { name: 'Mir', matches: (d) => prefixIn(d, 4, 2200, 2204), lengths: [16, 17, 18, 19] },
  { name: 'RuPay', matches: (d) => /^(?:60|65|81|82|508)/.test(d), lengths: [16] },
  { name: 'Troy', matches: (d) => d.startsWith('9792'), lengths: [16] },
  {
    name: 'Maestro',
    matches: (d) => /^(?:50|5[6-9]|6[0-9])/.test(d),
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
  },
];

/** The brand of a Luhn-valid card number of a known issuer range and length; undefined otherwise. */
export function cardBrand(digits: string): string | undefined {
  if (!validator.isLuhnNumber(digits)) return undefined;
  return CARD_BRANDS.find((brand) => brand.matches(digits) && brand.lengths.includes(digits.length))?.name;
}

export function isValidIban(compact: string): boolean {
  return isValidIBAN(compact);
}

/** Numbers the SSA never issues, plus the famous published ones (Woolworth's wallet card, ads). */
const FAKE_SSNS = new Set(['078051120', '219099999', '123456789', '457555462']);

export function isPlausibleSsn(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  if (group === '00' || serial === '0000') return false;
  return !FAKE_SSNS.has(area + group + serial);
}

// --- Bitcoin ---------------------------------------------------------------------------------

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Decode(text: string): Uint8Array | undefined {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  for (const char of text) {
    if (char !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** A legacy (P2PKH `1…`) or script (P2SH `3…`) Bitcoin address whose base58check checksum holds. */
export function isBase58CheckAddress(text: string): boolean {
  const bytes = base58Decode(text);
  if (!bytes || bytes.length !== 25 || (bytes[0] !== 0x00 && bytes[0] !== 0x05)) return false;
  const payload = bytes.subarray(0, 21);
  const checksum = sha256(sha256(payload)).subarray(0, 4);
  return checksum.every((byte, i) => byte === bytes[21 + i]);
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function bech32Polymod(values: readonly number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= BECH32_GENERATOR[i]!;
  }
  return checksum >>> 0;
}

/** A segwit address (`bc1…`, BIP 173 bech32 or BIP 350 bech32m) whose checksum holds. */
export function isBech32Address(text: string): boolean {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return false;
  const lower = text.toLowerCase();
  const separator = lower.lastIndexOf('1');
  const hrp = lower.slice(0, separator);
  if (hrp !== 'bc' || lower.length - separator - 1 < 6) return false;
  const data: number[] = [];
  for (const char of lower.slice(separator + 1)) {
    const value = BECH32_CHARSET.indexOf(char);
    if (value < 0) return false;
    data.push(value);
  }
  const high = [...hrp].map((c) => c.charCodeAt(0) >> 5);
  const low = [...hrp].map((c) => c.charCodeAt(0) & 31);
  const polymod = bech32Polymod(high.concat([0], low, data));
  return polymod === 1 || polymod === 0x2bc830a3;
}

// --- Ethereum --------------------------------------------------------------------------------

const MASK64 = (1n << 64n) - 1n;
const ROUND_CONSTANTS = [
  0x0000000000000001n,
  0x0000000000008082n,
  0x800000000000808an,
  0x8000000080008000n,
  0x000000000000808bn,
  0x0000000080000001n,
  0x8000000080008081n,
  0x8000000000008009n,
  0x000000000000008an,
  0x0000000000000088n,
  0x0000000080008009n,
  0x000000008000000an,
  0x000000008000808bn,
  0x800000000000008bn,
  0x8000000000008089n,
  0x8000000000008003n,
  0x8000000000008002n,
  0x8000000000000080n,
  0x000000000000800an,
  0x800000008000000an,
  0x8000000080008081n,
  0x8000000000008080n,
  0x0000000080000001n,
  0x8000000080008008n,
];
/** Rotation offsets by lane index x + 5y. */
const ROTATIONS = [
  0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
];

const rotl = (lane: bigint, n: number): bigint =>
  n === 0 ? lane : ((lane << BigInt(n)) | (lane >> BigInt(64 - n))) & MASK64;

function keccakF(state: bigint[]): void {
  const c = new Array<bigint>(5);
  const b = new Array<bigint>(25);
  for (const constant of ROUND_CONSTANTS) {
    for (let x = 0; x < 5; x++)
      c[x] = state[x]! ^ state[x + 5]! ^ state[x + 10]! ^ state[x + 15]! ^ state[x + 20]!;
    for (let x = 0; x < 5; x++) {
      const d = c[(x + 4) % 5]! ^ rotl(c[(x + 1) % 5]!, 1);
      for (let y = 0; y < 25; y += 5) state[x + y]! ^= d;
    }
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++)
        b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(state[x + 5 * y]!, ROTATIONS[x + 5 * y]!);
    }
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 25; y += 5)
        state[x + y] = b[x + y]! ^ (~b[((x + 1) % 5) + y]! & MASK64 & b[((x + 2) % 5) + y]!);
    }
    state[0] = state[0]! ^ constant;
  }
}

/**
 * Keccak-256 with the given domain padding byte: 0x01 is the original Keccak Ethereum uses, 0x06 is
 * NIST SHA3-256 (which node:crypto has, and which the tests compare against). Node has no Keccak.
 */
export function keccak256(data: Uint8Array, padding = 0x01): Uint8Array {
  const rate = 136;
  const padded = new Uint8Array(Math.floor(data.length / rate + 1) * rate);
  padded.set(data);
  padded[data.length]! |= padding;
  padded[padded.length - 1]! |= 0x80;
  const state = new Array<bigint>(25).fill(0n);
  for (let offset = 0; offset < padded.length; offset += rate) {
    for (let i = 0; i < rate / 8; i++) {
      let lane = 0n;
      for (let k = 7; k >= 0; k--) lane = (lane << 8n) | BigInt(padded[offset + i * 8 + k]!);
      state[i] = state[i]! ^ lane;
    }
    keccakF(state);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 4; i++) {
    let lane = state[i]!;
    for (let k = 0; k < 8; k++) {
      out[i * 8 + k] = Number(lane & 0xffn);
      lane >>= 8n;
    }
  }
  return out;
}

/** Whether a mixed-case `0x` address has the capitalisation EIP-55 derives from its Keccak hash. */
export function isEip55Checksummed(address: string): boolean {
  const hex = address.slice(2);
  const hash = keccak256(new TextEncoder().encode(hex.toLowerCase()));
  for (let i = 0; i < 40; i++) {
    const char = hex[i]!;
    if (char >= '0' && char <= '9') continue;
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    if (nibble >= 8 !== (char >= 'A' && char <= 'F')) return false;
  }
  return true;
}
