package io.palisade.tenant.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantSlugs;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.tokens.AccessTokens;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Platform support access: the only way a platform admin reaches a tenant's rows. Every step (request,
 * start, each token, end) is a {@code platform.impersonate_tenant} audit event in the tenant's own log.
 */
@ApplicationScoped
public class SupportAccess {

    private static final Logger LOG = Logger.getLogger(SupportAccess.class);
    static final String ACTION = "platform.impersonate_tenant";

    private final TenantTransactions tx;
    private final SupportSessionRepository sessions;
    private final AuditLog audit;
    private final AccessTokens accessTokens;

    @ConfigProperty(name = "palisade.support.link-ttl", defaultValue = "PT5M")
    Duration linkTtl;

    @ConfigProperty(name = "palisade.support.session-length", defaultValue = "PT30M")
    Duration sessionLength;

    SupportAccess(TenantTransactions tx, SupportSessionRepository sessions, AuditLog audit, AccessTokens accessTokens) {
        this.tx = tx;
        this.sessions = sessions;
        this.audit = audit;
        this.accessTokens = accessTokens;
    }

    public record Requested(UUID sessionId, String link, Instant linkExpiresAt) {
    }

    public record SupportToken(String accessToken, String tokenType, long expiresIn, UUID sessionId, UUID tenantId,
            Instant sessionEndsAt) {
    }

    public Uni<Requested> request(UUID adminId, String tenantSlug, String reason, String clientIp) {
        String link = Hashes.randomToken(32);
        return tx.inScope(DbScope.user(adminId), c -> TenantSlugs.activeTenant(c, tenantSlug)
                .chain(tenantId -> sessions.request(c, tenantId, adminId, reason, Hashes.sha256Hex(link), (int) linkTtl.toSeconds())
                        .chain(sessionId -> record(c, tenantId, adminId, sessionId, clientIp,
                                new JsonObject().put("phase", "requested").put("reason", reason))
                                .replaceWith(new Requested(sessionId, link, Instant.now().plus(linkTtl))))));
    }

    /** Redeems the single-use link (only its requester can): the session starts and its first token is issued. */
    public Uni<SupportToken> start(UUID adminId, String link, String clientIp) {
        return tx.inScope(DbScope.user(adminId), c -> sessions.start(c, Hashes.sha256Hex(link), (int) sessionLength.toSeconds())
                .chain(found -> {
                    SupportSessionRepository.Started started = found.orElseThrow(() -> ProblemException.unauthorized(
                            "the support link is not valid (it may have been used or expired, or was issued to someone else)"));
                    return record(c, started.tenantId(), adminId, started.sessionId(), clientIp, new JsonObject().put("phase", "started")
                            .put("endsAt", started.expiresAt().toString()))
                            .chain(() -> token(c, adminId, started, clientIp));
                }));
    }

    /** A further token in a running session (each is audited). */
    public Uni<SupportToken> renew(UUID adminId, UUID sessionId, String clientIp) {
        return tx.inScope(DbScope.user(adminId), c -> sessions.running(c, sessionId).chain(found -> token(c, adminId,
                found.orElseThrow(() -> ProblemException.notFound("a running support session")), clientIp)));
    }

    private Uni<SupportToken> token(SqlConnection c, UUID adminId, SupportSessionRepository.Started session, String clientIp) {
        Instant ends = session.expiresAt().toInstant();
        String token = accessTokens.forSupport(adminId, session.tenantId(), session.sessionId(), ends);
        long expiresIn = Math.min(accessTokens.ttl().toSeconds(), Duration.between(Instant.now(), ends).toSeconds());
        return record(c, session.tenantId(), adminId, session.sessionId(), clientIp, new JsonObject().put("phase", "token_issued")
                .put("expiresIn", expiresIn))
                .replaceWith(new SupportToken(token, "Bearer", expiresIn, session.sessionId(), session.tenantId(), ends));
    }

    /** The tenant's support sessions, for its owners and admins. */
    public Uni<List<SupportSessionRepository.Session>> list(TenantContext caller) {
        return tx.inTenant(caller, c -> sessions.list(c, 100));
    }

    /** Ends a running session at once: from this moment row-level security no longer admits it. */
    public Uni<SupportSessionRepository.Session> end(TenantContext caller, UUID sessionId, String clientIp) {
        boolean bySupport = TenantContext.SUPPORT.equals(caller.principal());
        return tx.inTenant(caller, c -> sessions.end(c, sessionId, caller.userId(), bySupport ? "ended_by_platform" : "ended_by_tenant")
                .chain(found -> {
                    SupportSessionRepository.Session ended = found.orElseThrow(() -> ProblemException.notFound("a running support session"));
                    return audit.record(c, new AuditEvent(caller.tenantId(), ACTION, AuditEvent.Actor.of(caller, clientIp), "support_session",
                            sessionId.toString(), AuditEvent.SUCCESS, null, null, new JsonObject().put("phase", "ended")
                                    .put("endReason", ended.endReason()).put("platformAdminId", ended.platformAdminId().toString())))
                            .replaceWith(ended);
                }));
    }

    @Scheduled(every = "${palisade.support.expiry-check:30s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> expire() {
        return tx.inBackground(DbScope.anonymous(), c -> sessions.expired(c, 100))
                .onItem().transformToMulti(expired -> Multi.createFrom().iterable(expired))
                .onItem().transformToUniAndConcatenate(due -> tx.inBackground(DbScope.worker(due.tenantId()), c -> sessions.expire(c, due.sessionId())
                        .chain(found -> found.map(ended -> audit.record(c, new AuditEvent(due.tenantId(), ACTION,
                                new AuditEvent.Actor(ended.platformAdminId(), Roles.PLATFORM_ADMIN, ended.platformAdminId(), null), "support_session",
                                ended.id().toString(), AuditEvent.SUCCESS, null, null,
                                new JsonObject().put("phase", "ended").put("endReason", ended.endReason()))).replaceWith(1))
                                .orElseGet(() -> Uni.createFrom().item(0)))))
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue))
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("%d support session(s) expired", n);
                    }
                }).replaceWithVoid();
    }

    /** An impersonation event in the tenant's log, written as the platform admin (allowed for audit events only). */
    private Uni<Void> record(SqlConnection c, UUID tenantId, UUID adminId, UUID sessionId, String clientIp, JsonObject details) {
        return tx.rescope(c, new DbScope(tenantId, adminId, TenantContext.SUPPORT))
                .chain(() -> audit.record(c, new AuditEvent(tenantId, ACTION, new AuditEvent.Actor(adminId, Roles.PLATFORM_ADMIN, adminId, clientIp),
                        "support_session", sessionId.toString(), AuditEvent.SUCCESS, null, null, details)));
    }
}
