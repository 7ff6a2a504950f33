-- Every committed change is announced on the items_changed channel, so that each API instance,
-- whichever one made the change, can push it to its own SSE subscribers. The payload carries only
-- the operation and the id: NOTIFY payloads are limited to 8000 bytes, a full item is not.
CREATE FUNCTION notify_item_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('items_changed', json_build_object('op', 'deleted', 'id', OLD.id)::text);
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM pg_notify('items_changed', json_build_object('op', 'updated', 'id', NEW.id)::text);
    ELSE
        PERFORM pg_notify('items_changed', json_build_object('op', 'created', 'id', NEW.id)::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER items_notify_change
    AFTER INSERT OR UPDATE OR DELETE ON items
    FOR EACH ROW EXECUTE FUNCTION notify_item_change();
