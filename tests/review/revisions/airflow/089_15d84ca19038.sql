BEGIN;

-- Running upgrade 509b94a1042d -> 15d84ca19038

DROP TABLE IF EXISTS asset_trigger;

CREATE TABLE asset_watcher (
    name VARCHAR(1500) NOT NULL, 
    asset_id INTEGER NOT NULL, 
    trigger_id INTEGER NOT NULL, 
    CONSTRAINT asset_watcher_pkey PRIMARY KEY (asset_id, trigger_id), 
    CONSTRAINT awm_asset_id_fkey FOREIGN KEY(asset_id) REFERENCES asset (id) ON DELETE CASCADE, 
    CONSTRAINT awm_trigger_id_fkey FOREIGN KEY(trigger_id) REFERENCES trigger (id) ON DELETE CASCADE
);

CREATE INDEX idx_awm_trigger_id ON asset_watcher (trigger_id);

UPDATE alembic_version SET version_num='15d84ca19038' WHERE alembic_version.version_num = '509b94a1042d';

COMMIT;
