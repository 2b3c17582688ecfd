import { z } from 'zod';

/**
 * What each orchestrator instance tells the lease group when it joins
 * (docs/orchestrator.md "Active and standby"): who it is, since when it runs, and since
 * when it holds the lease, if it does.
 */
export interface LeaseClaim {
  /** `<hostname>:<HTTP port>`: where its API answers, named in a standby's 503. */
  instance: string;
  /** When the process started (ms since the epoch). */
  startedAt: number;
  /** When it was given the lease (ms since the epoch); null while it is a standby. */
  heldSince: number | null;
}

const leaseClaimSchema = z.object({
  instance: z.string(),
  startedAt: z.number().int(),
  heldSince: z.number().int().nullable(),
});

export function encodeLeaseClaim(claim: LeaseClaim): Buffer {
  return Buffer.from(JSON.stringify(claim));
}

/** The claim in a member's metadata; null when it is absent or not a claim (a member of another version). */
export function decodeLeaseClaim(data: Buffer | null | undefined): LeaseClaim | null {
  if (!data || data.length === 0) return null;
  try {
    const parsed = leaseClaimSchema.safeParse(JSON.parse(data.toString()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface LeaseCandidate {
  memberId: string;
  claim: LeaseClaim | null;
}

/**
 * The member given the lease at a rebalance. The holder keeps it: a standby joining never
 * takes it from a live active. If several claim it (an old active paused beyond the session
 * timeout rejoins after its successor was chosen), the latest grant wins, so the paused one
 * finds itself without the lease and exits. Without a holder (the active died or left), the
 * longest-running standby gets it; member ids break ties so every leader chooses alike.
 */
export function chooseLeaseHolder(candidates: readonly LeaseCandidate[]): string | undefined {
  const ranked = [...candidates].sort((a, b) => {
    const heldA = a.claim?.heldSince ?? null;
    const heldB = b.claim?.heldSince ?? null;
    if (heldA !== heldB) {
      if (heldA === null) return 1;
      if (heldB === null) return -1;
      return heldB - heldA;
    }
    const startA = a.claim?.startedAt ?? Number.POSITIVE_INFINITY;
    const startB = b.claim?.startedAt ?? Number.POSITIVE_INFINITY;
    if (startA !== startB) return startA < startB ? -1 : 1;
    return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
  });
  return ranked[0]?.memberId;
}
