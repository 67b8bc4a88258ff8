package io.palisade.common.audit;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Refusals;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpServerRequest;

/**
 * A refused request of a signed-in caller (403) is an audit event of its own, {@code auth.forbidden}: who, which
 * endpoint, and why. It is written in its own transaction (the refused request changed nothing), in the caller's
 * tenant when the token names one, else at platform level; if it cannot be written, the refusal still goes out.
 */
@ApplicationScoped
public class AuthorizationFailures implements Refusals {

    private static final Logger LOG = Logger.getLogger(AuthorizationFailures.class);

    private final CurrentTenant currentTenant;
    private final JsonWebToken token;
    private final TenantTransactions tx;
    private final AuditLog audit;

    AuthorizationFailures(CurrentTenant currentTenant, JsonWebToken token, TenantTransactions tx, AuditLog audit) {
        this.currentTenant = currentTenant;
        this.token = token;
        this.tx = tx;
        this.audit = audit;
    }

    @Override
    public Uni<Void> record(HttpServerRequest request, String reason) {
        String endpoint = request.method().name() + " " + request.path();
        Uni<Void> write;
        try {
            write = write(endpoint, new JsonObject().put("reason", reason),
                    request.remoteAddress() == null ? null : request.remoteAddress().hostAddress());
        } catch (RuntimeException notOurToken) {
            // Not a Palisade access token (say, an identity provider's token on the SSO endpoint): nobody to name.
            write = Uni.createFrom().voidItem();
        }
        return write.onFailure().recoverWithItem(e -> {
            LOG.warnf("the refusal of %s could not be audited: %s", endpoint, e.getMessage());
            return null;
        });
    }

    private Uni<Void> write(String endpoint, JsonObject details, String clientIp) {
        if (token == null || token.getSubject() == null) {
            return Uni.createFrom().voidItem();
        }
        if (token.getClaim(CurrentTenant.TENANT_CLAIM) != null) {
            TenantContext caller = currentTenant.get();
            return tx.inTenant(caller, c -> audit.record(c, new AuditEvent(caller.tenantId(), "auth.forbidden", AuditEvent.Actor.of(caller, clientIp),
                    "endpoint", endpoint, AuditEvent.FAILURE, null, null, details)));
        }
        UUID user = UUID.fromString(token.getSubject());
        String role = token.getGroups().stream().sorted().findFirst().orElse("unknown");
        return tx.inScope(DbScope.user(user), c -> audit.record(c, new AuditEvent(null, "auth.forbidden",
                new AuditEvent.Actor(user, role, null, clientIp), "endpoint", endpoint, AuditEvent.FAILURE, null, null, details)));
    }
}
