import type { z } from 'zod';

/**
 * One sentence per zod issue, in the words Vigil's messages used before zod (Joi's):
 * `"retrain.maxPerDay" must be greater than or equal to 0`. Operators, scripts and tests
 * read these, so the wording is part of the interface. Never includes the rejected value:
 * an environment variable may hold a password.
 */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.flatMap(describeIssue).join('. ');
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = (path: readonly PropertyKey[]) => `"${path.map(String).join('.')}"`;
  const label = at(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${at([...issue.path, key])} is not allowed`);
    case 'invalid_type':
      // zod reports a missing key as a type mismatch against `undefined`.
      if (issue.message.endsWith('received undefined')) return [`${label} is required`];
      return [`${label} must be ${article(TYPE_NAMES[issue.expected] ?? issue.expected)}`];
    case 'too_small':
      if (issue.origin === 'string')
        return [Number(issue.minimum) === 1 ? `${label} is not allowed to be empty` : `${label} length must be at least ${issue.minimum} characters long`];
      if (issue.origin === 'array') return [`${label} must contain at least ${issue.minimum} items`];
      return [`${label} must be ${issue.inclusive ? 'greater than or equal to' : 'greater than'} ${issue.minimum}`];
    case 'too_big':
      if (issue.origin === 'string') return [`${label} length must be less than or equal to ${issue.maximum} characters long`];
      if (issue.origin === 'array') return [`${label} must contain less than or equal to ${issue.maximum} items`];
      return [`${label} must be ${issue.inclusive ? 'less than or equal to' : 'less than'} ${issue.maximum}`];
    case 'invalid_value':
      return [issue.values.length === 1 ? `${label} must be [${issue.values.map(String).join('')}]` : `${label} must be one of [${issue.values.map(String).join(', ')}]`];
    case 'invalid_format':
      if (issue.format === 'url') return [`${label} must be a valid uri`];
      if (issue.format === 'regex') return [`${label} fails to match the required pattern: ${issue.pattern ?? ''}`];
      if (issue.format === 'datetime') return [`${label} must be in ISO 8601 date format`];
      return [`${label} must be a valid ${issue.format}`];
    default:
      return [issue.path.length > 0 ? `${label} ${issue.message}` : issue.message];
  }
}

const TYPE_NAMES: Record<string, string> = { int: 'integer', record: 'object', nan: 'number' };

function article(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}
