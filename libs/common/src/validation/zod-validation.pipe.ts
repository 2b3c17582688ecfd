import { BadRequestException, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { describeZodIssues } from './zod-issues';

/**
 * Validates a request body or query against a zod schema and hands the parsed value
 * (defaults applied, types from `z.infer`) to the handler; anything else answers 400 with
 * every issue named (`"version" is required`). Use as `@Body(new ZodValidationPipe(schema))`.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    // No body at all is an empty object, as Nest hands over `undefined` for it.
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) throw new BadRequestException(describeZodIssues(result.error.issues));
    return result.data;
  }
}
