import { addedColumn, readMigrations } from './migrations';

describe('addedColumn', () => {
  it('names the table and column of a single ADD COLUMN statement', () => {
    expect(addedColumn("ALTER TABLE model_deployments ADD COLUMN changed_by String DEFAULT ''")).toEqual({ table: 'model_deployments', column: 'changed_by' });
    expect(addedColumn('  alter table t\n  add column c UInt8')).toEqual({ table: 't', column: 'c' });
  });

  it('is null for every other statement', () => {
    expect(addedColumn('CREATE TABLE IF NOT EXISTS t (a String) ENGINE = Memory')).toBeNull();
    expect(addedColumn('ALTER TABLE t DROP COLUMN c')).toBeNull();
    expect(addedColumn('ALTER TABLE t MODIFY COLUMN c String')).toBeNull();
  });

  it('recognises every statement of the changed_by migration', () => {
    const migration = readMigrations().find((m) => m.name === 'changed_by');
    // 060_changed_by.sql: one ALTER per table that records who changed it.
    expect(migration?.statements.map(addedColumn)).toEqual(
      ['model_deployments', 'decision_audit', 'model_policies', 'monitor_model_configs', 'monitor_references'].map((table) => ({ table, column: 'changed_by' })),
    );
  });
});
