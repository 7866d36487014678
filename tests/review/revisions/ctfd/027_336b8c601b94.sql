BEGIN;

-- Running upgrade 48d8250d19bd -> 336b8c601b94

CREATE TABLE audiences (
    id SERIAL NOT NULL, 
    name VARCHAR(80) NOT NULL, 
    description TEXT, 
    type VARCHAR(80) NOT NULL, 
    PRIMARY KEY (id)
);

CREATE TABLE modules (
    id SERIAL NOT NULL, 
    name VARCHAR(80) NOT NULL, 
    description TEXT, 
    PRIMARY KEY (id)
);

CREATE TABLE audience_members (
    id SERIAL NOT NULL, 
    audience_id INTEGER NOT NULL, 
    user_id INTEGER, 
    team_id INTEGER, 
    PRIMARY KEY (id), 
    FOREIGN KEY(audience_id) REFERENCES audiences (id) ON DELETE CASCADE, 
    FOREIGN KEY(team_id) REFERENCES teams (id) ON DELETE CASCADE, 
    FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
    CONSTRAINT uq_audience_team UNIQUE (audience_id, team_id), 
    CONSTRAINT uq_audience_user UNIQUE (audience_id, user_id)
);

CREATE TABLE module_audience_access (
    id SERIAL NOT NULL, 
    module_id INTEGER NOT NULL, 
    audience_id INTEGER NOT NULL, 
    PRIMARY KEY (id), 
    FOREIGN KEY(audience_id) REFERENCES audiences (id) ON DELETE CASCADE, 
    FOREIGN KEY(module_id) REFERENCES modules (id) ON DELETE CASCADE, 
    CONSTRAINT uq_module_audience UNIQUE (module_id, audience_id)
);

ALTER TABLE challenges ADD COLUMN module_id INTEGER;

ALTER TABLE challenges ADD FOREIGN KEY(module_id) REFERENCES modules (id) ON DELETE SET NULL;

UPDATE alembic_version SET version_num='336b8c601b94' WHERE alembic_version.version_num = '48d8250d19bd';

COMMIT;
