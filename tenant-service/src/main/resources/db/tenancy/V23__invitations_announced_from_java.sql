-- accept_invitation no longer writes member.joined in SQL: it answers what the caller needs to announce it, and the
-- caller, a member once the helper returns, writes it through the outbox API (AccountService.accept). Its body is in
-- R__tenancy_functions.sql; a new result type needs the function made anew, with its grants.
drop function tenancy.accept_invitation(text);
create function tenancy.accept_invitation(p_token_hash text)
    returns table (tenant_id uuid, invitation_id uuid, role text, permissions bigint)
    language sql volatile security definer set search_path = pg_catalog, pg_temp
    as $$ select null::uuid, null::uuid, null::text, null::bigint where false $$;
revoke all on function tenancy.accept_invitation(text) from public;
grant execute on function tenancy.accept_invitation(text) to ${app_role};
