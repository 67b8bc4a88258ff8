-- The first platform admin is created by tenant-service's migration run, as the schema owner, never by a serving
-- instance: the request-serving role loses the helper, so no bug in a request path can mint a platform admin while
-- none exists. The helper also records the password in the history (as signup does), in the same statement.
drop function tenancy.ensure_platform_admin(uuid, text, text, text);
create function tenancy.ensure_platform_admin(p_id uuid, p_email text, p_display_name text, p_password_hash text, p_history_hash text)
    returns boolean
    language plpgsql volatile set search_path = pg_catalog, pg_temp
    as $$
    begin
        insert into tenancy.users (id, email, display_name, password_hash, platform_admin)
        select p_id, lower(p_email), p_display_name, p_password_hash, true
         where not exists (select 1 from tenancy.users where platform_admin)
        on conflict (email) do nothing;
        if not found then
            return false;
        end if;
        insert into tenancy.password_history (id, user_id, hash) values (gen_random_uuid(), p_id, p_history_hash);
        return true;
    end
    $$;
revoke all on function tenancy.ensure_platform_admin(uuid, text, text, text, text) from public;
