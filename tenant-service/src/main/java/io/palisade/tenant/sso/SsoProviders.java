package io.palisade.tenant.sso;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.SecretBox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantSlugs;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** A tenant's OIDC identity provider settings; the client secret is sealed and never returned. */
@ApplicationScoped
public class SsoProviders {

    private final TenantTransactions tx;
    private final SecretBox secretBox;
    private final AuditLog audit;
    private final ProviderDiscovery discovery;

    SsoProviders(TenantTransactions tx, SecretBox secretBox, AuditLog audit, ProviderDiscovery discovery) {
        this.tx = tx;
        this.secretBox = secretBox;
        this.audit = audit;
        this.discovery = discovery;
    }

    /**
     * What the sign-in flow needs, with the secret opened; the endpoints as discovered when the configuration was
     * saved (absent for one saved before discovery was stored).
     */
    public record Provider(UUID tenantId, String issuer, String clientId, String clientSecret, Optional<ProviderDiscovery.Endpoints> endpoints,
            OffsetDateTime updatedAt) {
    }

    public record Settings(String issuer, String clientId, boolean clientSecretSet, OffsetDateTime updatedAt) {
    }

    /** The provider a tenant saved, read as someone signing in to that tenant (the tenant its active slug names). */
    public Uni<Optional<Provider>> bySlug(String slug) {
        return tx.inScope(DbScope.anonymous(), c -> TenantSlugs.findActive(c, slug).chain(tenant -> {
            if (tenant.isEmpty()) {
                return Uni.createFrom().item(Optional.<Provider>empty());
            }
            return tx.rescope(c, DbScope.signingInTo(tenant.get()))
                    .chain(() -> c.query("select tenant_id, issuer, client_id, client_secret_sealed, authorization_endpoint, token_endpoint,"
                            + " jwks_uri, updated_at from tenancy.sso_providers").execute())
                    .map(rows -> first(rows).map(this::provider));
        }));
    }

    private Provider provider(Row r) {
        return new Provider(r.getUUID("tenant_id"), r.getString("issuer"), r.getString("client_id"),
                secretBox.decrypt(r.getString("client_secret_sealed"), associatedData(r.getUUID("tenant_id"))),
                Optional.ofNullable(r.getString("jwks_uri")).map(jwks -> new ProviderDiscovery.Endpoints(r.getString("authorization_endpoint"),
                        r.getString("token_endpoint"), jwks)),
                r.getOffsetDateTime("updated_at"));
    }

    public Uni<Settings> get(TenantContext caller) {
        return tx.inTenant(caller, c -> c.query("select issuer, client_id, updated_at from tenancy.sso_providers").execute()
                .map(rows -> first(rows).map(r -> new Settings(r.getString("issuer"), r.getString("client_id"), true,
                        r.getOffsetDateTime("updated_at"))).orElseThrow(() -> ProblemException.notFound("the SSO configuration"))));
    }

    /**
     * Saves the configuration once the issuer's discovery document was read through the egress guard (the guard's
     * refusal, an unreachable provider or a document that does not fit is a 422 naming why, and nothing is saved).
     */
    public Uni<Settings> put(TenantContext caller, String issuer, String clientId, String clientSecret, String clientIp) {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (java.net.URISyntaxException e) {
            throw ProblemException.unprocessable("the issuer is not a valid URL");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw ProblemException.unprocessable("the issuer must be a plain https URL without credentials, query or fragment");
        }
        return discovery.discover(issuer).chain(endpoints -> tx.inTenant(caller, c -> c.query("select issuer, client_id from tenancy.sso_providers for update").execute()
                .chain(before -> c.preparedQuery("insert into tenancy.sso_providers (tenant_id, issuer, client_id, client_secret_sealed, updated_by,"
                        + " authorization_endpoint, token_endpoint, jwks_uri, discovered_at)"
                        + " values ($1, $2, $3, $4, $5, $6, $7, $8, now()) on conflict (tenant_id) do update set issuer = excluded.issuer,"
                        + " client_id = excluded.client_id, client_secret_sealed = excluded.client_secret_sealed,"
                        + " authorization_endpoint = excluded.authorization_endpoint, token_endpoint = excluded.token_endpoint,"
                        + " jwks_uri = excluded.jwks_uri, discovered_at = excluded.discovered_at,"
                        + " updated_by = excluded.updated_by, updated_at = now() returning updated_at")
                        .execute(Tuple.from(java.util.List.of(caller.tenantId(), issuer, clientId,
                                secretBox.encrypt(clientSecret, associatedData(caller.tenantId())), caller.userId(), endpoints.authorization(),
                                endpoints.token(), endpoints.jwks())))
                        .call(ignored -> audit.record(c, new AuditEvent(caller.tenantId(), "sso.configured",
                                AuditEvent.Actor.of(caller, clientIp), "tenant", caller.tenantId().toString(), AuditEvent.SUCCESS,
                                first(before).map(r -> new JsonObject().put("issuer", r.getString("issuer")).put("clientId", r.getString("client_id")))
                                        .orElse(null),
                                new JsonObject().put("issuer", issuer).put("clientId", clientId), new JsonObject()
                                        .put("authorizationEndpoint", endpoints.authorization()).put("tokenEndpoint", endpoints.token())
                                        .put("jwksUri", endpoints.jwks()))))
                        .map(rows -> new Settings(issuer, clientId, true, rows.iterator().next().getOffsetDateTime("updated_at"))))));
    }

    public Uni<Void> delete(TenantContext caller, String clientIp) {
        return tx.inTenant(caller, c -> c.query("delete from tenancy.sso_identities").execute()
                .chain(() -> c.query("delete from tenancy.sso_providers returning issuer").execute())
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ProblemException.notFound("the SSO configuration");
                    }
                    return audit.record(c, new AuditEvent(caller.tenantId(), "sso.removed", AuditEvent.Actor.of(caller, clientIp), "tenant",
                            caller.tenantId().toString(), AuditEvent.SUCCESS,
                            new JsonObject().put("issuer", rows.iterator().next().getString("issuer")), null, null));
                }));
    }

    public static String associatedData(UUID tenantId) {
        return "tenancy.sso_providers:" + tenantId;
    }
}
