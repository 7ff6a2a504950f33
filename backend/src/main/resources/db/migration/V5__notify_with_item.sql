-- Change notifications carry the item as committed, so an event shows the state that the change
-- produced (not whatever the row holds by the time a listener reads it again), and a listener
-- needs no query per change. NOTIFY payloads are limited to 8000 bytes: an item with a very long
-- multi-byte description is announced by id only, and listeners read it back.
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
                    'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))::text;
    IF octet_length(payload) > 7900 THEN
        payload := json_build_object('op', CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END,
                                     'id', NEW.id)::text;
    END IF;
    PERFORM pg_notify('items_changed', payload);
    RETURN NULL;
END;
$$;
