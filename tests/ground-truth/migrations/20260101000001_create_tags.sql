CREATE TABLE gt_nl020_tags (item_id bigint REFERENCES gt_nl020_items (id), tag text NOT NULL);
INSERT INTO gt_nl020_items (name) VALUES ('a'), ('b');
