-- A tenant's identity provider endpoints come from its discovery document, fetched through the egress guard when an
-- owner saves the configuration (authenticated, audited) and kept here; the anonymous sign-in path never fetches
-- discovery. A configuration saved before this has none: its sign-in answers 503 until an owner saves it again.
alter table tenancy.sso_providers
    add column authorization_endpoint text check (length(authorization_endpoint) <= 2048),
    add column token_endpoint         text check (length(token_endpoint) <= 2048),
    add column jwks_uri               text check (length(jwks_uri) <= 2048),
    add column discovered_at          timestamptz,
    add constraint sso_providers_endpoints_together check (
        (discovered_at is null and authorization_endpoint is null and token_endpoint is null and jwks_uri is null)
        or (discovered_at is not null and authorization_endpoint is not null and token_endpoint is not null and jwks_uri is not null));

drop function tenancy.sso_provider(text);
create function tenancy.sso_provider(p_slug text)
    returns table (tenant_id uuid, issuer text, client_id text, client_secret_sealed text, authorization_endpoint text,
                   token_endpoint text, jwks_uri text, updated_at timestamptz)
    language sql stable security definer set search_path = pg_catalog, pg_temp
    as $$
        select p.tenant_id, p.issuer, p.client_id, p.client_secret_sealed, p.authorization_endpoint, p.token_endpoint,
               p.jwks_uri, p.updated_at
          from tenancy.sso_providers p join tenancy.tenants t on t.id = p.tenant_id
         where t.slug = p_slug and t.status = 'active'
    $$;
revoke all on function tenancy.sso_provider(text) from public;
grant execute on function tenancy.sso_provider(text) to ${app_role};
