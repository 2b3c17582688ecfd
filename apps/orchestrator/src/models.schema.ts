import { DEPLOYMENT_REASONS } from '@vigil/contracts';
import { z } from 'zod';

/** An instant in ISO 8601 (`2026-02-03T12:00:00Z`, or a bare date), as epoch milliseconds. */
const isoInstant = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), { message: 'must be in ISO 8601 date format' })
  .transform((text) => Date.parse(text));

/** Body of POST /models/:modelId/deployments (docs/orchestrator.md "HTTP API"). */
export const deploymentBodySchema = z.object({
  eventId: z.string().min(1).optional(),
  version: z.string().min(1),
  deployedAt: isoInstant.transform((ms) => new Date(ms)).optional(),
  reason: z.enum(DEPLOYMENT_REASONS).default('manual'),
  incidentId: z.string().min(1).nullable().default(null),
  artifactUri: z.string().min(1).nullable().default(null),
});
export type DeploymentBody = z.infer<typeof deploymentBodySchema>;

/** `?at=` of GET /models/:modelId/champion: absent = now. */
export const championAtQuerySchema = isoInstant.optional();

/** `?limit=` of GET /models/:modelId/decisions. */
export const decisionsLimitQuerySchema = z.coerce.number().int().min(1).max(10_000).default(100);
