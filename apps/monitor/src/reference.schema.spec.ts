import { describeZodIssues } from '@vigil/common';
import { referenceBodySchema } from './reference.schema';

describe('PUT /models/:modelId/reference body', () => {
  it('takes rows or a summary object, and names what is not', () => {
    expect(referenceBodySchema.parse({ rows: [{ amount: 1, '@prediction': 'fraud' }] })).toEqual({ rows: [{ amount: 1, '@prediction': 'fraud' }] });
    expect(referenceBodySchema.safeParse({ summary: { columns: {} } }).success).toBe(true);
    expect(describeZodIssues(referenceBodySchema.safeParse({ rows: 'a,b', summary: [1] }).error!.issues)).toBe('"rows" must be an array. "summary" must be of type object');
    expect(describeZodIssues(referenceBodySchema.safeParse({ rows: [1] }).error!.issues)).toBe('"rows.0" must be an object');
  });
});
