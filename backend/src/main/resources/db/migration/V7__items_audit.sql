-- Who made and who last changed each item: the usernames, as plain text. No foreign key on
-- purpose: deleting a user neither deletes nor alters their items, which keep naming them.
-- Items made before there were users (the demo data) name nobody (NULL).
ALTER TABLE items
    ADD COLUMN created_by varchar(64),
    ADD COLUMN updated_by varchar(64);

-- The change notification carries them too (V5's function, with two more fields).
CREATE OR REPLACE FUNCTION notify_item_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    payload text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('items_changed', json_build_object('op', 'deleted', 'id', OLD.id)::text);
        RETURN NULL;
    END IF;
    payload := json_build_object(
            'op', CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END,
            'id', NEW.id,
            'item', json_build_object(
                    'id', NEW.id,
                    'name', NEW.name,
                    'description', NEW.description,
                    'version', NEW.version,
                    'createdAt', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                    'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                    'createdBy', NEW.created_by,
                    'updatedBy', NEW.updated_by))::text;
    IF octet_length(payload) > 7900 THEN
        payload := json_build_object('op', CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END,
                                     'id', NEW.id)::text;
    END IF;
    PERFORM pg_notify('items_changed', payload);
    RETURN NULL;
END;
$$;
