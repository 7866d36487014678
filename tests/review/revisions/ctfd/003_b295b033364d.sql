BEGIN;

-- Running upgrade b5551cd26764 -> b295b033364d

ALTER TABLE awards DROP CONSTRAINT awards_team_id_fkey;

ALTER TABLE awards DROP CONSTRAINT awards_user_id_fkey;

ALTER TABLE awards ADD CONSTRAINT awards_team_id_fkey FOREIGN KEY(team_id) REFERENCES teams (id) ON DELETE CASCADE;

ALTER TABLE awards ADD CONSTRAINT awards_user_id_fkey FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE;

ALTER TABLE files DROP CONSTRAINT files_challenge_id_fkey;

ALTER TABLE files ADD CONSTRAINT files_challenge_id_fkey FOREIGN KEY(challenge_id) REFERENCES challenges (id) ON DELETE CASCADE;

ALTER TABLE flags DROP CONSTRAINT flags_challenge_id_fkey;

ALTER TABLE flags ADD CONSTRAINT flags_challenge_id_fkey FOREIGN KEY(challenge_id) REFERENCES challenges (id) ON DELETE CASCADE;

ALTER TABLE hints DROP CONSTRAINT hints_challenge_id_fkey;

ALTER TABLE hints ADD CONSTRAINT hints_challenge_id_fkey FOREIGN KEY(challenge_id) REFERENCES challenges (id) ON DELETE CASCADE;

ALTER TABLE tags DROP CONSTRAINT tags_challenge_id_fkey;

ALTER TABLE tags ADD CONSTRAINT tags_challenge_id_fkey FOREIGN KEY(challenge_id) REFERENCES challenges (id) ON DELETE CASCADE;

ALTER TABLE teams DROP CONSTRAINT team_captain_id;

ALTER TABLE teams ADD CONSTRAINT team_captain_id FOREIGN KEY(captain_id) REFERENCES users (id) ON DELETE SET NULL;

ALTER TABLE tracking DROP CONSTRAINT tracking_user_id_fkey;

ALTER TABLE tracking ADD CONSTRAINT tracking_user_id_fkey FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE;

ALTER TABLE unlocks DROP CONSTRAINT unlocks_team_id_fkey;

ALTER TABLE unlocks DROP CONSTRAINT unlocks_user_id_fkey;

ALTER TABLE unlocks ADD CONSTRAINT unlocks_team_id_fkey FOREIGN KEY(team_id) REFERENCES teams (id) ON DELETE CASCADE;

ALTER TABLE unlocks ADD CONSTRAINT unlocks_user_id_fkey FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE;

UPDATE alembic_version SET version_num='b295b033364d' WHERE alembic_version.version_num = 'b5551cd26764';

COMMIT;
