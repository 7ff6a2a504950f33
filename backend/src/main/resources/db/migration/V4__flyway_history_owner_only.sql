-- The migration history belongs to the schema owner alone. In compose, default privileges give the
-- application role row access to every table app_owner creates, Flyway's own table included: an API
-- that could rewrite the history could make the next migration skip or repeat a step.
DO
$$
    DECLARE
        grantee_role text;
    BEGIN
        FOR grantee_role IN
            SELECT DISTINCT grantee
            FROM information_schema.role_table_grants
            WHERE table_schema = current_schema()
              AND table_name = 'flyway_schema_history'
              AND grantee NOT IN (current_user, 'PUBLIC')
            LOOP
                EXECUTE format('REVOKE ALL ON TABLE flyway_schema_history FROM %I', grantee_role);
            END LOOP;
    END
$$;
