-- Logout and refresh-token reuse revoke the token's whole family even when the user, the membership or the
-- tenant is no longer active (row-level security would hide the token from the app then). Only the family of
-- the presented token: whoever holds a token may end its session, nothing else.
create function tenancy.revoke_refresh_family(p_token_hash text) returns int
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$
        with revoked as (
            update tenancy.refresh_tokens r set revoked_at = now()
             where r.family_id = (select t.family_id from tenancy.refresh_tokens t where t.token_hash = p_token_hash)
               and r.revoked_at is null
            returning 1)
        select count(*)::int from revoked
    $$;
revoke all on function tenancy.revoke_refresh_family(text) from public;
grant execute on function tenancy.revoke_refresh_family(text) to ${app_role};
