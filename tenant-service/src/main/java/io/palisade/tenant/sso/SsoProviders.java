package io.palisade.tenant.sso;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

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

/** A tenant's OIDC identity provider settings; the client secret is sealed and never returned. */
@ApplicationScoped
public class SsoProviders {

    private final TenantTransactions tx;
    private final SsoRepository sso;
    private final SecretBox secretBox;
    private final AuditLog audit;
    private final ProviderDiscovery discovery;

    SsoProviders(TenantTransactions tx, SsoRepository sso, SecretBox secretBox, AuditLog audit, ProviderDiscovery discovery) {
        this.tx = tx;
        this.sso = sso;
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
                    .chain(() -> sso.provider(c))
                    .map(stored -> stored.map(this::opened));
        }));
    }

    private Provider opened(SsoRepository.StoredProvider stored) {
        return new Provider(stored.tenantId(), stored.issuer(), stored.clientId(),
                secretBox.decrypt(stored.clientSecretSealed(), associatedData(stored.tenantId())), stored.endpoints(), stored.updatedAt());
    }

    public Uni<Settings> get(TenantContext caller) {
        return tx.inTenant(caller, c -> sso.configured(c).map(found -> found.map(p -> new Settings(p.issuer(), p.clientId(), true, p.updatedAt()))
                .orElseThrow(() -> ProblemException.notFound("the SSO configuration"))));
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
        return discovery.discover(issuer).chain(endpoints -> tx.inTenant(caller, c -> sso.lockConfigured(c)
                .chain(before -> sso.save(c, caller.tenantId(), issuer, clientId, secretBox.encrypt(clientSecret, associatedData(caller.tenantId())),
                        caller.userId(), endpoints)
                        .call(ignored -> audit.record(c, new AuditEvent(caller.tenantId(), "sso.configured",
                                AuditEvent.Actor.of(caller, clientIp), "tenant", caller.tenantId().toString(), AuditEvent.SUCCESS,
                                before.map(p -> new JsonObject().put("issuer", p.issuer()).put("clientId", p.clientId())).orElse(null),
                                new JsonObject().put("issuer", issuer).put("clientId", clientId), new JsonObject()
                                        .put("authorizationEndpoint", endpoints.authorization()).put("tokenEndpoint", endpoints.token())
                                        .put("jwksUri", endpoints.jwks()))))
                        .map(updatedAt -> new Settings(issuer, clientId, true, updatedAt)))));
    }

    public Uni<Void> delete(TenantContext caller, String clientIp) {
        return tx.inTenant(caller, c -> sso.remove(c)
                .chain(removed -> {
                    String formerIssuer = removed.orElseThrow(() -> ProblemException.notFound("the SSO configuration"));
                    return audit.record(c, new AuditEvent(caller.tenantId(), "sso.removed", AuditEvent.Actor.of(caller, clientIp), "tenant",
                            caller.tenantId().toString(), AuditEvent.SUCCESS, new JsonObject().put("issuer", formerIssuer), null, null));
                }));
    }

    public static String associatedData(UUID tenantId) {
        return "tenancy.sso_providers:" + tenantId;
    }
}
