package io.palisade.tenant.sso;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The scope's tenant's identity provider (one row, the client secret sealed) and its members' identities there, under
 * RLS: staff manage it under their tenant scope, sign-ins read it as someone signing in to that tenant.
 */
@ApplicationScoped
public class SsoRepository {

    /** The provider as stored: the secret still sealed, the endpoints absent for one saved before discovery was stored. */
    public record StoredProvider(UUID tenantId, String issuer, String clientId, String clientSecretSealed, Optional<ProviderDiscovery.Endpoints> endpoints,
            OffsetDateTime updatedAt) {
    }

    public record Configured(String issuer, String clientId, OffsetDateTime updatedAt) {
    }

    public Uni<Optional<StoredProvider>> provider(SqlConnection c) {
        return c.query("select tenant_id, issuer, client_id, client_secret_sealed, authorization_endpoint, token_endpoint,"
                + " jwks_uri, updated_at from tenancy.sso_providers").execute()
                .map(rows -> first(rows).map(r -> new StoredProvider(r.getUUID("tenant_id"), r.getString("issuer"), r.getString("client_id"),
                        r.getString("client_secret_sealed"), Optional.ofNullable(r.getString("jwks_uri"))
                                .map(jwks -> new ProviderDiscovery.Endpoints(r.getString("authorization_endpoint"), r.getString("token_endpoint"), jwks)),
                        r.getOffsetDateTime("updated_at"))));
    }

    public Uni<Optional<Configured>> configured(SqlConnection c) {
        return c.query("select issuer, client_id, updated_at from tenancy.sso_providers").execute()
                .map(rows -> first(rows).map(r -> new Configured(r.getString("issuer"), r.getString("client_id"), r.getOffsetDateTime("updated_at"))));
    }

    /** What is configured now, locked until the transaction ends. */
    public Uni<Optional<Configured>> lockConfigured(SqlConnection c) {
        return c.query("select issuer, client_id, updated_at from tenancy.sso_providers for update").execute()
                .map(rows -> first(rows).map(r -> new Configured(r.getString("issuer"), r.getString("client_id"), r.getOffsetDateTime("updated_at"))));
    }

    /** Saves the tenant's provider, replacing what was there; when it was saved. */
    public Uni<OffsetDateTime> save(SqlConnection c, UUID tenantId, String issuer, String clientId, String clientSecretSealed, UUID savedBy,
            ProviderDiscovery.Endpoints endpoints) {
        return c.preparedQuery("insert into tenancy.sso_providers (tenant_id, issuer, client_id, client_secret_sealed, updated_by,"
                + " authorization_endpoint, token_endpoint, jwks_uri, discovered_at)"
                + " values ($1, $2, $3, $4, $5, $6, $7, $8, now()) on conflict (tenant_id) do update set issuer = excluded.issuer,"
                + " client_id = excluded.client_id, client_secret_sealed = excluded.client_secret_sealed,"
                + " authorization_endpoint = excluded.authorization_endpoint, token_endpoint = excluded.token_endpoint,"
                + " jwks_uri = excluded.jwks_uri, discovered_at = excluded.discovered_at,"
                + " updated_by = excluded.updated_by, updated_at = now() returning updated_at")
                .execute(Tuple.from(List.of(tenantId, issuer, clientId, clientSecretSealed, savedBy, endpoints.authorization(),
                        endpoints.token(), endpoints.jwks())))
                .map(rows -> rows.iterator().next().getOffsetDateTime("updated_at"));
    }

    /** Removes the provider and every identity linked through it; the issuer it had, if there was one. */
    public Uni<Optional<String>> remove(SqlConnection c) {
        return c.query("delete from tenancy.sso_identities").execute()
                .chain(() -> c.query("delete from tenancy.sso_providers returning issuer").execute())
                .map(rows -> first(rows).map(r -> r.getString("issuer")));
    }

    /**
     * The member of the scope's tenant this IdP identity is (the allow-listed definer {@code tenancy.sso_member}, which
     * links a first sign-in by the verified email).
     */
    public Uni<Optional<UUID>> member(SqlConnection c, String issuer, String subject, String email) {
        return c.preparedQuery("select user_id from tenancy.sso_member($1, $2, $3)").execute(Tuple.of(issuer, subject, email))
                .map(rows -> first(rows).map(r -> r.getUUID("user_id")));
    }
}
