-- Keeps item_uid_tokens (UID search's index, see the schema) in step with items: a statement
-- trigger per insert, reading the statement's rows at once (a lot of 100,000 items is one
-- INSERT ... SELECT, not 100,000 trigger calls). A UID never changes once given; deleted items
-- go by the foreign key.
CREATE FUNCTION qrforge_item_uid_tokens_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO item_uid_tokens (item_id, tokens)
    SELECT id, array_to_tsvector(regexp_split_to_array(lower(uid), '[-./]')) FROM new_items;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER item_uid_tokens_on_insert AFTER INSERT ON items
  REFERENCING NEW TABLE AS new_items
  FOR EACH STATEMENT EXECUTE FUNCTION qrforge_item_uid_tokens_fill();
--> statement-breakpoint
INSERT INTO item_uid_tokens (item_id, tokens)
  SELECT id, array_to_tsvector(regexp_split_to_array(lower(uid), '[-./]')) FROM items;
