import type { DatasetSummaryJSON } from '@vigil/monitoring';
import { z } from 'zod';

/**
 * Body of PUT /models/:modelId/reference: training rows, or a serialised DatasetSummary
 * (whose inside `DatasetSummary.fromJSON` checks, naming what is wrong).
 */
export const referenceBodySchema = z.object({
  rows: z.array(z.record(z.string(), z.unknown())).optional(),
  summary: z.custom<DatasetSummaryJSON>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { message: 'must be of type object' }).optional(),
});
export type ReferenceBody = z.infer<typeof referenceBodySchema>;
