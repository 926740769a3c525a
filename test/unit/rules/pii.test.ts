import assert from 'node:assert/strict';
import { mayBeBase58Address, mayBeIpv6 } from '../../../src/core/rules/pii/detectors.ts';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import { keccak256 } from '../../../src/core/rules/pii/checksums.ts';
import { piiCheckers } from '../../../src/core/rules/pii/index.ts';
import { applyFix, runRuleTests } from '../rule-tester.ts';

const user = (content: string): string => JSON.stringify({ messages: [{ role: 'user', content }] });
const fixedUser = (content: string): string => user(content) + '\n';

runRuleTests('pii', piiCheckers, {
  valid: [
    { name: 'example.com and reserved-TLD emails', lines: [user('write to user@example.com or a@b.test')] },
    { name: 'placeholders', lines: [user('<EMAIL> <PHONE> <CREDIT_CARD> <IBAN> <SSN>')] },
    { name: 'Luhn-invalid card', lines: [user('card 4242 4242 4242 4241')] },
    { name: 'Luhn-valid but no issuer of that length', lines: [user('id 0000 0000 0000 0000')] },
    { name: 'mixed separators are not a card', lines: [user('4242-4242 4242-4242')] },
    { name: 'IBAN with a wrong checksum', lines: [user('DE89 3704 0044 0532 0130 01')] },
    {
      name: 'SSNs in never-issued ranges and famous fakes',
      lines: [user('000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000 078-05-1120 123-45-6789')],
    },
    {
      name: 'private, loopback, documentation IPs and versions',
      lines: [user('10.0.0.1 127.0.0.1 192.168.1.1 203.0.113.9 ::1 2001:db8::1 v1.2.3.4 version 4.3.2.1')],
    },
    {
      name: 'ISO dates, times and IDs are not phone numbers',
      lines: [user('2024-01-15 12:30:45 order 12345678901')],
    },
    { name: 'fictional 555-01xx numbers', lines: [user('call (415) 555-0123 or 555-0100')] },
    {
      name: 'crypto addresses with a broken checksum',
      lines: [user('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')],
    },
    {
      name: 'URL credentials that are placeholders',
      lines: [user('https://user:<PASSWORD>@host.io https://u:${PASS}@h.io')],
    },
    { name: 'PII in a key is not a value', lines: ['{"alice@gmail.com": "x", "messages": []}'] },
    {
      name: 'allow list: exact value',
      lines: [user('ops@corp.io')],
      config: { pii: { allow: ['ops@corp.io'] } },
    },
    {
      name: 'allow list: domain',
      lines: [user('ops@mail.corp.io')],
      config: { pii: { allow: ['corp.io'] } },
    },
    {
      name: 'allow list: a glob over the whole value (an email, a phone with its separators)',
      lines: [user('ops-7@mail.corp.io, call +1 800 555 2671 or (212) 555-2671')],
      config: { pii: { allow: ['*@*.corp.io', '+1 800 *', '212???????'] } },
    },
    {
      name: 'allow list: a regular expression between slashes, case ignored',
      lines: [user('Ops-42@Corp.IO and ops-7@corp.io')],
      config: { pii: { allow: ['/ops-\\d+@corp\\.io/'] } },
    },
    {
      name: 'real-data placeholders (issue 14 full sets): email.com and example2.com tables, you@gmail.com in an SMTP sample',
      lines: [
        user(
          'alice@email.com | mary@email.com | jane@example2.com | John.Doe@example-domain.com | you@gmail.com',
        ),
      ],
    },
    {
      name: 'network prefixes of an ASN lookup and the 123.45.67.89 of a validator exercise',
      lines: [
        user("'ip_ranges': ['8.8.8.0/24', '157.240.0.0/16', '35.192.0.0/12'] and is \"123.45.67.89\" valid?"),
      ],
    },
    {
      name: 'a Luhn-valid sum is no card; a block of consecutive numbers is an enumeration, not contacts',
      lines: [
        user('256626720691 + 1646615806005 =\n\nThe result is:\n\n4212883012996'),
        user(
          'Access All Records Of 213-484-0480 Now! Access All Records Of 213-484-0481 Now! Access All Records Of 213-484-0482 Now!',
        ),
      ],
    },
    {
      name: 'T0 news articles: crisis and tip lines (toll-free), a NIST time server, newsroom mailboxes',
      lines: [
        user(
          'National Suicide Prevention Lifeline (1-800-273-8255), Spanish 1-888-628-9454, arson tip line 800-540-7085',
        ),
        user('servers: time.nist.gov 192.43.244.18; write to letters@theatlantic.com or press@flix.com'),
      ],
    },
    { name: 'not JSON', lines: ['john@gmail.com'] },
    {
      name: 'a phone carved out of a longer digit run or an alphanumeric reference',
      lines: [user('ids 99 415 555 2671 12, REF415-555-2671, 415-555-2671X')],
    },
    {
      name: 'a card number inside a part number or a longer digit run',
      lines: [user('part PN4242424242424242X, serial 12 4242 4242 4242 4242 99')],
    },
    {
      name: 'program output and arithmetic are not phone numbers',
      lines: [user('1 2 3 4 5 6 7 8 9 10'), user('28980-18480 = 10500')],
    },
    {
      name: 'placeholder and reserved-domain emails',
      lines: [
        user(
          'yourname@yourdomain.com example@email.com boss@company.com a@example.org b@c.example d@e.invalid',
        ),
      ],
    },
    {
      name: 'public resolvers and documentation ranges are not personal data',
      lines: [
        user("ping Google's DNS 8.8.8.8 or 1.1.1.1, 2606:4700:4700::1111"),
        user('192.0.2.1 198.51.100.7 2001:db8::1 2001:0db8:85a3::8a2e:370:7334 3fff::1'),
      ],
    },
  ],
  invalid: [
    {
      name: 'near the real-data exclusions, still reported: a card assigned in code, a host in a CIDR list, a lone number after a block, a journalist address, info@ (a Presidio test vector)',
      lines: [
        user(
          'card = 4111111111111111; host 35.192.4.7 in 35.192.0.0/12; call 213-484-0480, 213-484-0481 or 415-555-2671',
        ),
        user('Contact Lawren Linehan at llinehan@reviewjournal.com, or mail info@presidio.site'),
      ],
      findings: [
        { code: 'pii/credit-card', line: 0, text: '4111111111111111' },
        { code: 'pii/ip-address', line: 0, text: '35.192.4.7' },
        { code: 'pii/phone', line: 0, text: '213-484-0480' },
        { code: 'pii/phone', line: 0, text: '213-484-0481' },
        { code: 'pii/phone', line: 0, text: '415-555-2671' },
        { code: 'pii/email', line: 1, text: 'llinehan@reviewjournal.com' },
        { code: 'pii/email', line: 1, text: 'info@presidio.site' },
      ],
    },
    {
      name: 'allow list: a pattern matches the whole value, not a part of it; a broken expression allows nothing',
      lines: [user('ops-7@corp.io.evil.com, bob@corp.io, 4242 4242 4242 4242')],
      config: { pii: { allow: ['ops-*@corp.io', '/bob@corp/', '/4242(/'] } },
      findings: [
        { code: 'pii/email', line: 0, text: 'ops-7@corp.io.evil.com' },
        { code: 'pii/email', line: 0, text: 'bob@corp.io' },
        { code: 'pii/credit-card', line: 0, text: '4242 4242 4242 4242' },
      ],
    },
    {
      name: 'email, masked, fixed to <EMAIL>',
      lines: [user('mail john.doe@gmail.com now')],
      findings: [
        {
          code: 'pii/email',
          line: 0,
          text: 'john.doe@gmail.com',
          message: 'j•••@g•••.com',
          fixed: fixedUser('mail <EMAIL> now'),
        },
      ],
    },
    {
      name: 'an escape before an address is not part of it',
      lines: [user('line\nbob@corp.io')],
      findings: [{ code: 'pii/email', line: 0, text: 'bob@corp.io' }],
    },
    {
      name: 'card number',
      lines: [user('pay with 4242 4242 4242 4242 ok')],
      findings: [
        {
          code: 'pii/credit-card',
          line: 0,
          text: '4242 4242 4242 4242',
          message: '•••• •••• •••• 4242 (Luhn-valid Visa number)',
          fixed: fixedUser('pay with <CREDIT_CARD> ok'),
        },
      ],
    },
    {
      name: 'Amex without separators',
      lines: [user('378282246310005')],
      findings: [{ code: 'pii/credit-card', line: 0, text: '378282246310005', message: 'American Express' }],
    },
    {
      name: 'a Danish IBAN is an IBAN, not a card number after its country letters',
      lines: [user('konto DK50 0040 0440 1162 43 tak')],
      findings: [{ code: 'pii/iban', line: 0, text: 'DK50 0040 0440 1162 43' }],
    },
    {
      name: 'IBANs with dashes and of countries validator lacks (BY, LY)',
      lines: [user('DE89-3704-0044-0532-0130-00 BY13NBRB3600900000002Z00AB00 LY83002048000020100120361')],
      findings: [
        { code: 'pii/iban', line: 0, text: 'DE89-3704-0044-0532-0130-00' },
        { code: 'pii/iban', line: 0, text: 'BY13NBRB3600900000002Z00AB00' },
        { code: 'pii/iban', line: 0, text: 'LY83002048000020100120361' },
      ],
    },
    {
      name: 'UATP card (starts with 1, 15 digits)',
      lines: [user('UATP 100000000000009')],
      findings: [{ code: 'pii/credit-card', line: 0, text: '100000000000009' }],
    },
    {
      name: 'compressed public IPv6 with few groups and with a dotted tail',
      lines: [user('from 2a00:1450::1 and 2a03:2880::52.14.0.9')],
      findings: [
        { code: 'pii/ip-address', line: 0, text: '2a00:1450::1' },
        { code: 'pii/ip-address', line: 0, text: '2a03:2880::52.14.0.9' },
      ],
    },
    {
      name: 'IBAN followed by capitals',
      lines: [user('IBAN DE89 3704 0044 0532 0130 00 AND MORE')],
      findings: [
        {
          code: 'pii/iban',
          line: 0,
          text: 'DE89 3704 0044 0532 0130 00',
          message: 'DE•• •••• 3000 (mod-97',
          fixed: fixedUser('IBAN <IBAN> AND MORE'),
        },
      ],
    },
    {
      name: 'SSN',
      lines: [user('ssn 536-22-1234.')],
      findings: [
        {
          code: 'pii/us-ssn',
          line: 0,
          text: '536-22-1234',
          message: '•••-••-••••',
          fixed: fixedUser('ssn <SSN>.'),
        },
      ],
    },
    {
      name: 'public IPv4 and IPv6',
      lines: [user('dns 52.14.0.9 and 2a00:1450:4001::200e')],
      findings: [
        {
          code: 'pii/ip-address',
          line: 0,
          text: '52.14.0.9',
          message: '52.•••.•••.•••',
          fixed: fixedUser('dns <IP_ADDRESS> and 2a00:1450:4001::200e'),
        },
        { code: 'pii/ip-address', line: 0, text: '2a00:1450:4001::200e' },
      ],
    },
    {
      name: 'phone number with the default region',
      lines: [user('call (415) 555-2671 today')],
      findings: [
        {
          code: 'pii/phone',
          line: 0,
          text: '(415) 555-2671',
          message: '(•••) •••-••71 (valid US number)',
          fixed: fixedUser('call <PHONE> today'),
        },
      ],
    },
    {
      name: 'phone number in another region',
      lines: [user('ring 030 12345678')],
      config: { pii: { defaultPhoneRegion: 'DE' } },
      findings: [{ code: 'pii/phone', line: 0, text: '030 12345678', message: 'valid DE number' }],
    },
    {
      name: 'Bitcoin legacy, bech32 and an EIP-55 Ethereum address',
      lines: [
        user('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'),
        user('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'),
        user('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'),
      ],
      findings: [
        {
          code: 'pii/crypto-wallet',
          line: 0,
          message: 'base58check',
          fixed:
            fixedUser('<CRYPTO_WALLET>') +
            user('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4') +
            '\n' +
            user('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed') +
            '\n',
        },
        {
          code: 'pii/crypto-wallet',
          line: 1,
          text: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
          message: 'bech32',
        },
        { code: 'pii/crypto-wallet', line: 2, message: 'EIP-55' },
      ],
    },
    {
      name: 'URL credentials: only user:password is replaced',
      lines: [user('db at postgres://admin:s3cr3tpw@db.corp.io/app')],
      findings: [
        {
          code: 'pii/url-credentials',
          line: 0,
          text: 'admin:s3cr3tpw',
          message: 'a•••:•••@db.corp.io',
          fixed: fixedUser('db at postgres://<CREDENTIALS>@db.corp.io/app'),
        },
      ],
    },
    {
      name: 'a tool message is training data too',
      lines: [JSON.stringify({ messages: [{ role: 'tool', content: '{"email":"jane@corp.io"}' }] })],
      findings: [{ code: 'pii/email', line: 0, text: 'jane@corp.io' }],
    },
  ],
});

test('pii: no message prints the value it found', () => {
  const values = [
    'john.doe@gmail.com',
    '4242424242424242',
    'DE89370400440532013000',
    '536-22-1234',
    '52.14.0.9',
    '(415) 555-2671',
    '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
    'admin:s3cr3tpw',
  ];
  const text = values.map((v, i) => user(i === 7 ? `https://${v}@corp.io` : `x ${v} y`)).join('\n');
  const findings = lintText(text, resolveConfig({}).config, piiCheckers);
  assert.equal(findings.length, values.length);
  for (const finding of findings)
    for (const value of values) assert.ok(!finding.message.includes(value), finding.message);
});

test('pii fix: the placeholder replaces the value and every other byte is unchanged (property)', () => {
  const pii = fc.constantFrom(
    'john.doe@gmail.com',
    '4242 4242 4242 4242',
    'DE89 3704 0044 0532 0130 00',
    '536-22-1234',
    '52.14.0.9',
  );
  const filler = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '"', 'é', '.', ',', '\\') });
  fc.assert(
    fc.property(filler, pii, filler, (before, value, after) => {
      const document = user(`${before} ${value} ${after}`) + '\n';
      const findings = lintText(document, resolveConfig({}).config, piiCheckers);
      assert.equal(findings.length, 1);
      const fixed = applyFix(document, findings[0]!);
      const placeholder = findings[0]!.fix!.edits[0]!.newText;
      const at = document.indexOf(value);
      assert.equal(fixed, document.slice(0, at) + placeholder + document.slice(at + value.length));
      assert.equal(JSON.parse(fixed).messages[0].content, `${before} ${placeholder} ${after}`);
    }),
    { numRuns: 150 },
  );
});

test('keccak256 with SHA-3 padding equals node:crypto sha3-256 (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const ours = Buffer.from(keccak256(bytes, 0x06)).toString('hex');
      assert.equal(ours, createHash('sha3-256').update(bytes).digest('hex'));
    }),
    { numRuns: 60 },
  );
  assert.equal(
    Buffer.from(keccak256(new Uint8Array())).toString('hex'),
    'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
  );
});

test('pii ip prefilter: the colon scan agrees with the regular expression it replaces (property)', () => {
  const piece = fc.constantFrom(':', '::', 'a', 'F', '0', '9', 'g', '"', ' ', 'fe80', '1:2', 'ab:cd:');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
      const line = pieces.join('');
      assert.equal(mayBeIpv6(line), /[0-9a-fA-F]:[0-9a-fA-F]{0,4}:/.test(line), line);
    }),
    { numRuns: 2000 },
  );
});

test('pii wallet prefilter: the scan from each 1 and 3 agrees with the regular expression it replaces (property)', () => {
  const piece = fc.constantFrom(
    '1',
    '3',
    '_',
    'x',
    'I',
    'l',
    '0',
    '#',
    ' ',
    'abcdefghijk',
    'ABCDEFGHJKM',
    '2345',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
      const line = pieces.join('');
      const scanned = mayBeBase58Address(line, '1') || mayBeBase58Address(line, '3');
      assert.equal(scanned, /\b[13][1-9A-HJ-NP-Za-km-z]{25}/.test(line), line);
    }),
    { numRuns: 3000 },
  );
  const edges = [
    '1' + 'a'.repeat(25),
    '1' + 'a'.repeat(24),
    'x1' + 'a'.repeat(25),
    '#3' + 'b'.repeat(25),
    '10' + 'a'.repeat(24),
  ];
  for (const line of edges)
    assert.equal(
      mayBeBase58Address(line, '1') || mayBeBase58Address(line, '3'),
      /\b[13][1-9A-HJ-NP-Za-km-z]{25}/.test(line),
      line,
    );
});

test('pii: an email after 300,000 escapes in one value is found (no stack overflow)', () => {
  const errors: unknown[] = [];
  const line = user(`${'\n'.repeat(300_000)} mail bob.smith@gmail.com`);
  const findings = lintText(line, resolveConfig({}).config, piiCheckers, (_codes, _line, error) =>
    errors.push(error),
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(
    findings.map((f) => f.code),
    ['pii/email'],
  );
});

test('pii: a value glued to a letter or digit, or to another digit group, is never reported (property)', () => {
  // Not emails: letters glued to an address extend it ("gmail.coma" is a domain too).
  const pii = fc.constantFrom(
    '4242 4242 4242 4242',
    '4242424242424242',
    'DE89 3704 0044 0532 0130 00',
    '536-22-1234',
    '(415) 555-2671',
    '415 555 2671',
  );
  const glue = fc.constantFrom('a', 'Z', '7', 'é', '٣');
  const group = fc.constantFrom('12 ', '9 ', '1234 ');
  fc.assert(
    fc.property(pii, glue, fc.boolean(), (value, char, before) => {
      const content = before ? `x ${char}${value} y` : `x ${value}${char} y`;
      assert.deepEqual(lintText(user(content), resolveConfig({}).config, piiCheckers), [], content);
    }),
    { numRuns: 150 },
  );
  fc.assert(
    fc.property(
      fc.constantFrom('4242 4242 4242 4242', '415 555 2671', '536 22 1234'),
      group,
      (value, lead) => {
        const content = `ids ${lead}${value}`;
        assert.deepEqual(lintText(user(content), resolveConfig({}).config, piiCheckers), [], content);
      },
    ),
    { numRuns: 30 },
  );
});
