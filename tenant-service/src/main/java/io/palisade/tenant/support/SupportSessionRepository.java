package io.palisade.tenant.support;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Support sessions, under RLS throughout: a platform admin asks for, starts and renews their own under their own scope
 * (DbScope.user); the tenant's members list and end theirs; the expiry worker ends those that ran out.
 */
@ApplicationScoped
public class SupportSessionRepository {

    public record Session(UUID id, UUID platformAdminId, String reason, OffsetDateTime linkExpiresAt, OffsetDateTime startedAt,
            OffsetDateTime expiresAt, OffsetDateTime endedAt, String endReason, OffsetDateTime createdAt) {
    }

    public record Started(UUID sessionId, UUID tenantId, OffsetDateTime expiresAt) {
    }

    private static final String COLUMNS = "id, platform_admin_id, reason, link_expires_at, started_at, expires_at, ended_at,"
            + " end_reason, created_at from tenancy.support_sessions";

    /** A new session of the scope's platform admin into the tenant, not yet started: its single-use link's hash. */
    public Uni<UUID> request(SqlConnection c, UUID tenantId, UUID adminId, String reason, String linkHash, int linkTtlSeconds) {
        UUID id = UUID.randomUUID();
        return c.preparedQuery("insert into tenancy.support_sessions (id, tenant_id, platform_admin_id, reason, link_hash, link_expires_at)"
                + " values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))")
                .execute(Tuple.from(List.of(id, tenantId, adminId, reason, linkHash, linkTtlSeconds))).replaceWith(id);
    }

    /** Starts the session whose link this is: only the scope's own, only once, only before the link expires (RLS). */
    public Uni<Optional<Started>> start(SqlConnection c, String linkHash, int sessionSeconds) {
        return c.preparedQuery("update tenancy.support_sessions set started_at = now(), expires_at = now() + make_interval(secs => $2)"
                + " where link_hash = $1 and started_at is null and link_expires_at > now() returning id, tenant_id, expires_at")
                .execute(Tuple.of(linkHash, sessionSeconds))
                .map(rows -> first(rows).map(r -> new Started(r.getUUID("id"), r.getUUID("tenant_id"), r.getOffsetDateTime("expires_at"))));
    }

    /** A running session of the scope's own platform admin (RLS: their sessions alone). */
    public Uni<Optional<Started>> running(SqlConnection c, UUID sessionId) {
        return c.preparedQuery("select tenant_id, expires_at from tenancy.support_sessions"
                + " where id = $1 and started_at is not null and ended_at is null and expires_at > now()").execute(Tuple.of(sessionId))
                .map(rows -> first(rows).map(r -> new Started(sessionId, r.getUUID("tenant_id"), r.getOffsetDateTime("expires_at"))));
    }

    /** The tenant's sessions, newest first (row-level security: the scope's tenant only). */
    public Uni<List<Session>> list(SqlConnection c, int limit) {
        return c.preparedQuery("select " + COLUMNS + " order by created_at desc, id" + RowLimit.of(limit)).execute()
                .map(rows -> all(rows, SupportSessionRepository::session));
    }

    /** Ends a running session at once; empty if it is not running (or not this tenant's). */
    public Uni<Optional<Session>> end(SqlConnection c, UUID sessionId, UUID endedBy, String reason) {
        return c.preparedQuery("update tenancy.support_sessions set ended_at = now(), ended_by = $2, end_reason = $3"
                + " where id = $1 and started_at is not null and ended_at is null and expires_at > now()"
                + " returning id, platform_admin_id, reason, link_expires_at, started_at, expires_at, ended_at, end_reason, created_at")
                .execute(Tuple.of(sessionId, endedBy, reason)).map(rows -> first(rows).map(SupportSessionRepository::session));
    }

    public record Expired(UUID tenantId, UUID sessionId) {
    }

    /** Running sessions that ran out, in every tenant: the one claim across tenants (tenancy.expired_support_sessions). */
    public Uni<List<Expired>> expired(SqlConnection c, int limit) {
        return c.preparedQuery("select tenant_id, session_id from tenancy.expired_support_sessions($1)").execute(Tuple.of(limit))
                .map(rows -> all(rows, r -> new Expired(r.getUUID("tenant_id"), r.getUUID("session_id"))));
    }

    /** Ends a session that ran out, at its expiry; empty if it is no longer running. */
    public Uni<Optional<Session>> expire(SqlConnection c, UUID sessionId) {
        return c.preparedQuery("update tenancy.support_sessions set ended_at = expires_at, end_reason = 'expired'"
                + " where id = $1 and started_at is not null and ended_at is null and expires_at <= now()"
                + " returning id, platform_admin_id, reason, link_expires_at, started_at, expires_at, ended_at, end_reason, created_at")
                .execute(Tuple.of(sessionId)).map(rows -> first(rows).map(SupportSessionRepository::session));
    }

    private static Session session(Row r) {
        return new Session(r.getUUID("id"), r.getUUID("platform_admin_id"), r.getString("reason"), r.getOffsetDateTime("link_expires_at"),
                r.getOffsetDateTime("started_at"), r.getOffsetDateTime("expires_at"), r.getOffsetDateTime("ended_at"),
                r.getString("end_reason"), r.getOffsetDateTime("created_at"));
    }
}
