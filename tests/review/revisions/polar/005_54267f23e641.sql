BEGIN;

-- Running upgrade 9f9d594a6b25 -> 54267f23e641

SET LOCAL lock_timeout = '5s';

UPDATE support_cases sc
        SET organization_id = orev.organization_id
        FROM organization_reviews orev
        WHERE sc.organization_review_id = orev.id;

UPDATE support_cases sc
        SET organization_id = o.organization_id
        FROM disputes d
        JOIN orders o ON o.id = d.order_id
        WHERE sc.dispute_id = d.id;

ALTER TABLE support_cases ALTER COLUMN organization_id SET NOT NULL;

UPDATE alembic_version SET version_num='54267f23e641' WHERE alembic_version.version_num = '9f9d594a6b25';

COMMIT;
