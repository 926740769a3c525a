/**
 * Positives and near-misses per pii family, each a line of chat text with the values a reviewer
 * expects reported. Sources: Microsoft Presidio's recognizer tests (presidio-analyzer/tests,
 * commit 0aa9f8e4, test_*_recognizer.py; adapted where our policy differs: Presidio reports
 * private, loopback and documentation IPs and 555-01xx numbers, we do not), the test numbers the
 * card networks publish (Stripe/PayPal test cards), the SWIFT IBAN registry examples, and probes
 * written for issue 14 (boundaries, placeholders, program output). A finding of another family on
 * a probe's line is a false positive of that family: the Danish IBAN probe is also a card near-miss.
 */
export interface PiiProbe {
  family: string;
  text: string;
  /** The values that must be reported for this family; empty for a near-miss. */
  expected: readonly string[];
  source: 'presidio' | 'registry' | 'issue-14';
  /** `pii.defaultPhoneRegion` for this line, as Presidio passes its regions; US otherwise. */
  region?: string;
}

const p = (
  family: string,
  text: string,
  expected: readonly string[],
  source: PiiProbe['source'] = 'presidio',
): PiiProbe => ({ family, text, expected, source });

export const PII_PROBES: readonly PiiProbe[] = [
  // --- credit cards -----------------------------------------------------------------------------
  p('pii/credit-card', '4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881', [
    '4012888888881881',
    '4012-8888-8888-1881',
    '4012 8888 8888 1881',
  ]),
  p('pii/credit-card', 'my credit card: 122000000000003', ['122000000000003']),
  p('pii/credit-card', '371449635398431', ['371449635398431']),
  p('pii/credit-card', '5555555555554444', ['5555555555554444']),
  p('pii/credit-card', '5019717010103742', ['5019717010103742']),
  p('pii/credit-card', '30569309025904', ['30569309025904']),
  p('pii/credit-card', '6011000400000000', ['6011000400000000']),
  p('pii/credit-card', '3528000700000000', ['3528000700000000']),
  p('pii/credit-card', '6759649826438453', ['6759649826438453']),
  p('pii/credit-card', '4111111111111111', ['4111111111111111']),
  p('pii/credit-card', '4917300800000000', ['4917300800000000']),
  p('pii/credit-card', '1748503543012', []),
  p('pii/credit-card', 'my credit card number is 4012-8888-8888-1882', []),
  p('pii/credit-card', 'my credit card number is 36168002586008', []),
  p('pii/credit-card', 'UATP card 100000000000009 on file', ['100000000000009'], 'issue-14'),
  p('pii/credit-card', 'Mir 2200 0000 0000 0004', ['2200 0000 0000 0004'], 'registry'),
  p('pii/credit-card', 'part PN4111111111111111X is back-ordered', [], 'issue-14'),
  p('pii/credit-card', 'serial 12 4111 1111 1111 1111 99', [], 'issue-14'),
  // --- IBAN -------------------------------------------------------------------------------------
  p('pii/iban', 'AL47212110090000000235698741', ['AL47212110090000000235698741']),
  p('pii/iban', 'AL47 2121 1009 0000 0002 3569 8741', ['AL47 2121 1009 0000 0002 3569 8741']),
  p('pii/iban', 'AL47 212A 1009 0000 0002 3569 8741', []),
  p('pii/iban', 'AL47 2121 1009 0000 0002 3569 8740', []),
  p('pii/iban', 'AD12 0001 2030 2003 5910 0100', ['AD12 0001 2030 2003 5910 0100']),
  p('pii/iban', 'AD12 0001 2030 2003 5910 0101', []),
  p('pii/iban', 'AT61 1904 3002 3457 3201', ['AT61 1904 3002 3457 3201']),
  p('pii/iban', 'konto DK50 0040 0440 1162 43 tak', ['DK50 0040 0440 1162 43'], 'issue-14'),
  p('pii/iban', 'DE89-3704-0044-0532-0130-00', ['DE89-3704-0044-0532-0130-00'], 'issue-14'),
  p('pii/iban', 'BY13NBRB3600900000002Z00AB00', ['BY13NBRB3600900000002Z00AB00'], 'registry'),
  p('pii/iban', 'LY83002048000020100120361', ['LY83002048000020100120361'], 'registry'),
  p('pii/iban', 'DE89 3704 0044 0532 0130 01', [], 'issue-14'),
  // --- email ------------------------------------------------------------------------------------
  p('pii/email', 'my email address is info@presidio.site', ['info@presidio.site']),
  p('pii/email', 'try one of these emails: info@presidio.site or anotherinfo@presidio.site', [
    'info@presidio.site',
    'anotherinfo@presidio.site',
  ]),
  p('pii/email', 'my email is user@xn--80ak6aa92e.com today', ['user@xn--80ak6aa92e.com']),
  p('pii/email', 'my email is info@presidio.', []),
  p('pii/email', 'this is not an email: hello-world here', []),
  p('pii/email', 'mail john.doe@gmail.com now', ['john.doe@gmail.com'], 'issue-14'),
  p('pii/email', 'send it to yourname@yourdomain.com', [], 'issue-14'),
  p('pii/email', 'e.g. example@email.com or boss@company.com', [], 'issue-14'),
  p('pii/email', 'a@example.com b@x.test c@y.invalid d@z.example', [], 'issue-14'),
  // --- phone ------------------------------------------------------------------------------------
  { ...p('pii/phone', 'My Israeli number is 09-7625400', ['09-7625400']), region: 'IL' },
  p('pii/phone', 'Brazil: +55 11 98456 5666', ['+55 11 98456 5666']),
  { ...p('pii/phone', 'My Japanese number is 090-1234-5678', ['090-1234-5678']), region: 'JP' },
  p('pii/phone', 'call me at (415) 555-2671 tonight', ['(415) 555-2671'], 'issue-14'),
  p('pii/phone', 'London office +44 20 7946 0958', ['+44 20 7946 0958'], 'issue-14'),
  p('pii/phone', 'US: 415-555-0132', []),
  p('pii/phone', '1 2 3 4 5 6 7 8 9 10', [], 'issue-14'),
  p('pii/phone', '28980-18480 = 10500', [], 'issue-14'),
  p('pii/phone', 'ids 99 415 555 2671 12', [], 'issue-14'),
  p('pii/phone', 'ticket REF415-555-2671', [], 'issue-14'),
  p('pii/phone', 'released 2024-05-01 42', [], 'issue-14'),
  // --- IP ---------------------------------------------------------------------------------------
  p('pii/ip-address', 'microsoft.com 684D:1111:222:3333:4444:5555:6:77', []),
  p('pii/ip-address', '2345:0425:2CA1::0567:5673:23b5', ['2345:0425:2CA1::0567:5673:23b5']),
  p('pii/ip-address', 'my ip is 2400:c401::5054:ff:fe1b:b031', ['2400:c401::5054:ff:fe1b:b031']),
  p('pii/ip-address', 'my ip: 192.168.0', []),
  p('pii/ip-address', '684D:1111:222:3333:4444:5555:77', []),
  p('pii/ip-address', 'microsoft.com 192.168.0.1', []),
  p('pii/ip-address', 'Server IP: 2001:db8::1', []),
  p('pii/ip-address', 'Mapped: ::ffff:192.168.1.1', []),
  p('pii/ip-address', 'from 52.14.0.9 at noon', ['52.14.0.9'], 'issue-14'),
  p('pii/ip-address', 'peer 2a00:1450::1 dropped', ['2a00:1450::1'], 'issue-14'),
  p('pii/ip-address', "ping Google's DNS 8.8.8.8 or 1.1.1.1", [], 'issue-14'),
  p('pii/ip-address', 'see 192.0.2.1 and 198.51.100.7 and 203.0.113.9', [], 'issue-14'),
  p('pii/ip-address', 'build 10.0.19041.1 and v1.2.3.4', [], 'issue-14'),
  // --- US SSN -----------------------------------------------------------------------------------
  p('pii/us-ssn', '078-05-1123', ['078-05-1123']),
  p('pii/us-ssn', 'abc 078 05 1123 abc', ['078 05 1123']),
  p('pii/us-ssn', '078-05-0000', []),
  p('pii/us-ssn', '078 00 1123', []),
  p('pii/us-ssn', '693-09.4444', []),
  p('pii/us-ssn', 'SSN 536-22-1234', ['536-22-1234'], 'issue-14'),
  p('pii/us-ssn', '666-12-3456 and 123-45-6789', [], 'issue-14'),
  // --- crypto -----------------------------------------------------------------------------------
  p('pii/crypto-wallet', '16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ', ['16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ']),
  p('pii/crypto-wallet', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy']),
  p('pii/crypto-wallet', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', [
    'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  ]),
  p('pii/crypto-wallet', 'my wallet address is: 16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ2', []),
  p('pii/crypto-wallet', '8f953371d3e85eddb89b05ed6b9e680791055315c73e1025ab5dba7bb2aee189', []),
];
