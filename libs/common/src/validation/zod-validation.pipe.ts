import { ArgumentMetadata, BadRequestException, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { describeZodIssues } from './zod-issues';

/**
 * Validates a request body or query against a zod schema and hands the parsed value
 * (defaults applied, types from `z.infer`) to the handler; anything else answers 400 with
 * every issue named (`"version" is required`). Use as `@Body(new ZodValidationPipe(schema))`
 * or `@Query('limit', new ZodValidationPipe(schema))` (a query value's issue is named after it).
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata?: ArgumentMetadata): z.output<S> {
    // A request without a body reaches the pipe as `undefined`: validate it as `{}`.
    const input = value === undefined && metadata?.type === 'body' ? {} : value;
    const result = this.schema.safeParse(input);
    if (!result.success) {
      const named = metadata?.data ? result.error.issues.map((issue) => ({ ...issue, path: [metadata.data!, ...issue.path] })) : result.error.issues;
      throw new BadRequestException(describeZodIssues(named));
    }
    return result.data;
  }
}
