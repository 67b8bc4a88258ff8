package io.palisade.tenant.sso;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import static io.palisade.common.db.Rows.first;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.SecretBox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

/** A tenant's OIDC identity provider settings; the client secret is sealed and never returned. */
@ApplicationScoped
public class SsoProviders {

    @Inject
    TenantTransactions tx;

    @Inject
    SecretBox secretBox;

    @Inject
    AuditLog audit;

    /** Only for tests against a provider on loopback: production issuers must be https. */
    @ConfigProperty(name = "palisade.sso.allow-http-issuers", defaultValue = "false")
    boolean allowHttpIssuers;

    /** What the sign-in flow needs, with the secret opened. */
    public record Provider(UUID tenantId, String issuer, String clientId, String clientSecret, OffsetDateTime updatedAt) {
    }

    public record Settings(String issuer, String clientId, boolean clientSecretSet, OffsetDateTime updatedAt) {
    }

    public Uni<Optional<Provider>> bySlug(String slug) {
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery(
                "select tenant_id, issuer, client_id, client_secret_sealed, updated_at from tenancy.sso_provider($1)")
                .execute(Tuple.of(slug))
                .map(rows -> first(rows).map(r -> new Provider(r.getUUID("tenant_id"), r.getString("issuer"), r.getString("client_id"),
                        secretBox.decrypt(r.getString("client_secret_sealed"), associatedData(r.getUUID("tenant_id"))),
                        r.getOffsetDateTime("updated_at")))));
    }

    public Uni<Settings> get(TenantContext caller) {
        return tx.inTenant(caller, c -> c.query("select issuer, client_id, updated_at from tenancy.sso_providers").execute()
                .map(rows -> first(rows).map(r -> new Settings(r.getString("issuer"), r.getString("client_id"), true,
                        r.getOffsetDateTime("updated_at"))).orElseThrow(() -> ProblemException.notFound("the SSO configuration"))));
    }

    public Uni<Settings> put(TenantContext caller, String issuer, String clientId, String clientSecret, String clientIp) {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (java.net.URISyntaxException e) {
            throw ProblemException.unprocessable("the issuer is not a valid URL");
        }
        if (!"https".equals(uri.getScheme()) && !(allowHttpIssuers && "http".equals(uri.getScheme()))) {
            throw ProblemException.unprocessable("the issuer must be an https URL");
        }
        if (uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
            throw ProblemException.unprocessable("the issuer must be a plain https URL without credentials, query or fragment");
        }
        return tx.inTenant(caller, c -> c.query("select issuer, client_id from tenancy.sso_providers for update").execute()
                .chain(before -> c.preparedQuery("insert into tenancy.sso_providers (tenant_id, issuer, client_id, client_secret_sealed, updated_by)"
                        + " values ($1, $2, $3, $4, $5) on conflict (tenant_id) do update set issuer = excluded.issuer,"
                        + " client_id = excluded.client_id, client_secret_sealed = excluded.client_secret_sealed,"
                        + " updated_by = excluded.updated_by, updated_at = now() returning updated_at")
                        .execute(Tuple.of(caller.tenantId(), issuer, clientId, secretBox.encrypt(clientSecret, associatedData(caller.tenantId())),
                                caller.userId()))
                        .call(ignored -> audit.record(c, new AuditEvent(caller.tenantId(), "sso.configured",
                                AuditEvent.Actor.of(caller, clientIp), "tenant", caller.tenantId().toString(), AuditEvent.SUCCESS,
                                first(before).map(r -> new JsonObject().put("issuer", r.getString("issuer")).put("clientId", r.getString("client_id")))
                                        .orElse(null),
                                new JsonObject().put("issuer", issuer).put("clientId", clientId), null)))
                        .map(rows -> new Settings(issuer, clientId, true, rows.iterator().next().getOffsetDateTime("updated_at")))));
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
