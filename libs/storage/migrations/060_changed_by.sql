-- Who changed what (docs/api-auth.md): the name of the API token whose HTTP request
-- made the row. '' for rows that came straight from Kafka (e.g. a deployer's own
-- ModelDeployed through the SDK), where the broker's ACLs say who may write.
-- Plain ADD COLUMN: 18.16 has no ADD COLUMN IF NOT EXISTS; the migration runner treats a
-- column that another service added first as applied.
ALTER TABLE model_deployments ADD COLUMN changed_by String DEFAULT ''
;
ALTER TABLE decision_audit ADD COLUMN changed_by String DEFAULT ''
;
ALTER TABLE model_policies ADD COLUMN changed_by String DEFAULT ''
;
ALTER TABLE monitor_model_configs ADD COLUMN changed_by String DEFAULT ''
;
ALTER TABLE monitor_references ADD COLUMN changed_by String DEFAULT ''
