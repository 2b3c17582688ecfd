import { chooseLeaseHolder, decodeLeaseClaim, encodeLeaseClaim, LeaseClaim } from './lease';

const standby = (instance: string, startedAt: number): LeaseClaim => ({ instance, startedAt, heldSince: null });

describe('orchestrator lease', () => {
  it('stays with the holder when a standby joins, even one that started earlier', () => {
    // a started at t=1000 ms but is the standby; b holds the lease since t=5000 ms.
    const holder = chooseLeaseHolder([
      { memberId: 'm-a', claim: standby('host:3003', 1_000) },
      { memberId: 'm-b', claim: { instance: 'host:3004', startedAt: 2_000, heldSince: 5_000 } },
    ]);
    expect(holder).toBe('m-b');
  });

  it('goes to the latest grant when two members claim it (a paused active rejoining)', () => {
    // old: granted at t=5000 ms, paused past the session timeout; new: granted at t=12000 ms.
    const holder = chooseLeaseHolder([
      { memberId: 'm-old', claim: { instance: 'host:3003', startedAt: 1_000, heldSince: 5_000 } },
      { memberId: 'm-new', claim: { instance: 'host:3004', startedAt: 2_000, heldSince: 12_000 } },
    ]);
    expect(holder).toBe('m-new');
  });

  it('without a holder goes to the longest-running standby, then the smallest member id', () => {
    expect(
      chooseLeaseHolder([
        { memberId: 'm-1', claim: standby('host:3004', 2_000) },
        { memberId: 'm-2', claim: standby('host:3003', 1_000) },
        { memberId: 'm-0', claim: null },
      ]),
    ).toBe('m-2');
    // Started in the same millisecond (both at t=1000 ms): member id order.
    expect(
      chooseLeaseHolder([
        { memberId: 'm-b', claim: standby('host:3004', 1_000) },
        { memberId: 'm-a', claim: standby('host:3003', 1_000) },
      ]),
    ).toBe('m-a');
    expect(chooseLeaseHolder([])).toBeUndefined();
  });

  it('round-trips a claim and reads anything else as no claim', () => {
    const claim: LeaseClaim = { instance: 'host:3003', startedAt: 1_000, heldSince: 5_000 };
    expect(decodeLeaseClaim(encodeLeaseClaim(claim))).toEqual(claim);
    expect(decodeLeaseClaim(Buffer.from('not json'))).toBeNull();
    expect(decodeLeaseClaim(Buffer.from('{"instance":1}'))).toBeNull();
    expect(decodeLeaseClaim(Buffer.alloc(0))).toBeNull();
    expect(decodeLeaseClaim(null)).toBeNull();
  });
});
