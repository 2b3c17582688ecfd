import { z } from 'zod';
import { FLEET_SORT_KEYS, FleetQuery } from './core';

/** `?search&status&sort&order&offset&limit` of GET /api/fleet (docs/dashboard.md "API"), as the service's FleetQuery. */
export const fleetQuerySchema = z
  .object({
    search: z.string().max(200).default(''),
    status: z.enum(['', 'healthy', 'degraded', 'incident']).default(''),
    sort: z.enum(FLEET_SORT_KEYS).default('status'),
    order: z.enum(['asc', 'desc']).default('desc'),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .transform(({ order, ...q }): FleetQuery => ({ ...q, descending: order === 'desc' }));

const isoInstant = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), { message: 'must be in ISO 8601 date format' })
  .transform((text) => Date.parse(text));

/** `?from&to` of GET /api/models/:modelId: an optional span, `to` not before `from`. */
export const modelQuerySchema = z
  .object({ from: isoInstant.optional(), to: isoInstant.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.to >= q.from, { message: 'must be later than or equal to "from"', path: ['to'] })
  .transform((q) => ({ fromMs: q.from, toMs: q.to }));
