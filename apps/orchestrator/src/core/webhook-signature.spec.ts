import { createHmac } from 'node:crypto';
import { signatureHeader, verifySignature } from './webhook-signature';

describe('webhook signature', () => {
  const body = '{"incidentId":"i-1"}';

  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, as documented', () => {
    // Reference: the same HMAC computed directly with node:crypto.
    const expected = createHmac('sha256', 's3cret').update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader('s3cret', 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies within the tolerance and refuses a changed body, a wrong secret or an old timestamp', () => {
    const header = signatureHeader('s3cret', 1_700_000_000, body);
    expect(verifySignature('s3cret', header, body, 1_700_000_000 + 300)).toBe(true);
    expect(verifySignature('s3cret', header, body.replace('1', '2'), 1_700_000_000)).toBe(false);
    expect(verifySignature('other', header, body, 1_700_000_000)).toBe(false);
    // 301 s later: beyond the default 300-s tolerance.
    expect(verifySignature('s3cret', header, body, 1_700_000_000 + 301)).toBe(false);
    expect(verifySignature('s3cret', 't=x,v1=zz', body, 1_700_000_000)).toBe(false);
  });
});
