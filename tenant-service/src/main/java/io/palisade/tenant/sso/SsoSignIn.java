package io.palisade.tenant.sso;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.accounts.AccountRepository;
import io.palisade.tenant.accounts.Grant;
import io.palisade.tenant.accounts.Sessions;
import io.palisade.tenant.accounts.TokenResponse;
import io.palisade.tenant.lockout.LoginThrottle;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * After the tenant's IdP vouched for someone (quarkus-oidc verified the ID token against that tenant's
 * issuer and keys): the member of that tenant they are, and a Palisade session in that tenant only.
 */
@ApplicationScoped
public class SsoSignIn {

    private final TenantTransactions tx;
    private final SsoProviders providers;
    private final SsoRepository sso;
    private final AccountRepository accounts;
    private final Sessions sessions;
    private final AuditLog audit;
    private final LoginThrottle throttle;

    SsoSignIn(TenantTransactions tx, SsoProviders providers, SsoRepository sso, AccountRepository accounts, Sessions sessions, AuditLog audit,
            LoginThrottle throttle) {
        this.tx = tx;
        this.providers = providers;
        this.sso = sso;
        this.accounts = accounts;
        this.sessions = sessions;
        this.audit = audit;
        this.throttle = throttle;
    }

    /** @param email the address the IdP verified, or null */
    public Uni<TokenResponse> signIn(String slug, String issuer, String subject, String email, String clientIp) {
        return providers.bySlug(slug).chain(found -> {
            SsoProviders.Provider provider = found.orElseThrow(() -> ProblemException.notFound("SSO for this tenant"));
            UUID tenantId = provider.tenantId();
            if (!provider.issuer().equals(issuer)) {
                // quarkus-oidc verified the token for this tenant's issuer; anything else is refused outright.
                throw ProblemException.unauthorized("the identity provider is not this tenant's");
            }
            // The tenant whose provider vouched is the scope's: sso_member finds a member of that tenant only.
            return tx.inScope(DbScope.signingInTo(tenantId), c -> sso.member(c, issuer, subject, email))
                    .chain(userId -> userId.isEmpty()
                            ? refused(tenantId, issuer, subject, clientIp)
                            : tx.inScope(new DbScope(tenantId, userId.get(), TenantContext.STAFF),
                                    c -> accounts.activeMembership(c, tenantId, userId.get())
                                            .call(membership -> audit.record(c, new AuditEvent(tenantId, "auth.sso_login",
                                                    new AuditEvent.Actor(userId.get(), membership.map(AccountRepository.TenantChoice::role).orElse(null),
                                                            null, clientIp), "user", userId.get().toString(), AuditEvent.SUCCESS, null, null,
                                                    new JsonObject().put("issuer", issuer)))))
                                    .chain(membership -> sessions.start(new Grant(userId.get(), membership.orElseThrow(
                                            () -> ProblemException.forbidden("the membership is not active")),
                                            throttle.identifier(email == null ? issuer + " " + subject : email), false, Grant.SSO))));
        });
    }

    private Uni<TokenResponse> refused(UUID tenantId, String issuer, String subject, String clientIp) {
        return tx.inScope(DbScope.anonymous(), c -> audit.record(c, new AuditEvent(null, "auth.sso_login", AuditEvent.Actor.anonymous(clientIp),
                "tenant", tenantId.toString(), AuditEvent.FAILURE, null, null,
                new JsonObject().put("issuer", issuer).put("reason", "no_member"))))
                .map(ignored -> {
                    throw ProblemException.forbidden("this identity is not a member of the tenant; ask an owner for an invitation");
                });
    }
}
