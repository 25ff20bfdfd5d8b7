-- neon-lint ground truth (NL020), the slow variant: the 3 s sleep keeps this migration's
-- transaction open long enough for the test to hand the lock's server connection to another client.
-- gt-nl020-slow
CREATE TABLE gt_nl020_items (id bigserial PRIMARY KEY, name text NOT NULL);
SELECT pg_sleep(3);
