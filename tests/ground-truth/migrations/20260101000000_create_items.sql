-- neon-lint ground truth (NL020): a plain migration, run by sqlx's Migrator.
CREATE TABLE gt_nl020_items (id bigserial PRIMARY KEY, name text NOT NULL);
