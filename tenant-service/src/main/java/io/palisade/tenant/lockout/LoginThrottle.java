package io.palisade.tenant.lockout;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.db.Rows;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Login lockout, with its state in PostgreSQL so every instance of the service enforces the same limits.
 * Two independent keys per attempt: the login identifier (a hash of the email, whether or not an account has
 * it) and the client address. Failures count in a sliding window; reaching the limit locks the key, each
 * further lock twice as long as the one before. Every failure and every lock is an audit event.
 */
@ApplicationScoped
public class LoginThrottle {

    static final String EMAIL = "email";
    static final String IP = "ip";

    @Inject
    LockoutSettings settings;

    @Inject
    AuditLog audit;

    @Inject
    Pool pool;

    /** The stored key of a login identifier: never the email itself. */
    public static String emailKey(String email) {
        return Hashes.sha256Hex("login-identifier:" + email.toLowerCase(Locale.ROOT));
    }

    /** Whether either key is locked now. */
    public Uni<Boolean> isLocked(SqlConnection c, String emailKey, String ip) {
        return c.preparedQuery("select exists (select 1 from tenancy.login_locks where locked_until > now()"
                + " and ((kind = 'email' and key = $1) or (kind = 'ip' and key = $2))) as locked")
                .execute(Tuple.of(emailKey, ip)).map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    /**
     * Records a failed login: the audit event, and, unless a lock already refused the attempt, a failure
     * against each key, locking a key that reached its limit.
     *
     * @param userId the account the email belongs to, or null if none
     * @param reason why it failed: {@code locked}, {@code bad_credentials} or {@code inactive}
     */
    public Uni<Void> recordFailure(SqlConnection c, String emailKey, String ip, UUID userId, String reason) {
        Uni<Void> failed = audit.record(c, new AuditEvent(null, "auth.login_failed", AuditEvent.Actor.anonymous(ip),
                userId == null ? "login_identifier" : "user", userId == null ? emailKey : userId.toString(), AuditEvent.FAILURE,
                null, null, new JsonObject().put("reason", reason).put("identifier", emailKey)));
        if ("locked".equals(reason)) {
            return failed;
        }
        return failed.chain(() -> count(c, EMAIL, emailKey, settings.email(), ip))
                .chain(() -> count(c, IP, ip, settings.ip(), ip));
    }

    /** A successful login clears the identifier's failures (not the address's: one good account must not reset it). */
    public Uni<Void> recordSuccess(SqlConnection c, String emailKey) {
        return c.preparedQuery("delete from tenancy.login_failures where kind = 'email' and key = $1").execute(Tuple.of(emailKey))
                .replaceWithVoid();
    }

    private Uni<Void> count(SqlConnection c, String kind, String key, LockoutSettings.Limit limit, String ip) {
        // Serialises the count-and-lock decision for this key across every instance.
        return c.preparedQuery("select pg_advisory_xact_lock(hashtext('login-throttle:' || $1 || ':' || $2))")
                .execute(Tuple.of(kind, key))
                .chain(() -> c.preparedQuery("insert into tenancy.login_failures (kind, key) values ($1, $2)").execute(Tuple.of(kind, key)))
                .chain(() -> c.preparedQuery("delete from tenancy.login_failures where kind = $1 and key = $2"
                        + " and failed_at <= now() - make_interval(secs => $3)").execute(Tuple.of(kind, key, seconds(limit.window()))))
                .chain(() -> c.preparedQuery("select count(*) as failures from tenancy.login_failures where kind = $1 and key = $2")
                        .execute(Tuple.of(kind, key)))
                .chain(rows -> rows.iterator().next().getLong("failures") >= limit.maxFailures()
                        ? lock(c, kind, key, limit, ip)
                        : Uni.createFrom().voidItem());
    }

    private Uni<Void> lock(SqlConnection c, String kind, String key, LockoutSettings.Limit limit, String ip) {
        return c.preparedQuery("select strikes, last_locked_at from tenancy.login_locks where kind = $1 and key = $2")
                .execute(Tuple.of(kind, key))
                .chain(rows -> {
                    int strikes = Rows.first(rows)
                            .filter(r -> r.getOffsetDateTime("last_locked_at").isAfter(OffsetDateTime.now().minus(settings.strikeMemory())))
                            .map(r -> r.getInteger("strikes") + 1).orElse(1);
                    Duration length = lockLength(limit.baseLock(), strikes, settings.maxLock());
                    return c.preparedQuery("insert into tenancy.login_locks (kind, key, locked_until, strikes, last_locked_at)"
                            + " values ($1, $2, now() + make_interval(secs => $3), $4, now())"
                            + " on conflict (kind, key) do update set locked_until = excluded.locked_until,"
                            + " strikes = excluded.strikes, last_locked_at = excluded.last_locked_at")
                            .execute(Tuple.of(kind, key, seconds(length), strikes))
                            .chain(() -> c.preparedQuery("delete from tenancy.login_failures where kind = $1 and key = $2")
                                    .execute(Tuple.of(kind, key)))
                            .chain(() -> audit.record(c, new AuditEvent(null, "auth.locked", AuditEvent.Actor.anonymous(ip),
                                    EMAIL.equals(kind) ? "login_identifier" : "client_address", key, AuditEvent.SUCCESS, null, null,
                                    new JsonObject().put("kind", kind).put("strikes", strikes).put("lockSeconds", length.toSeconds()))));
                });
    }

    /** The base length, doubled for each strike after the first, never more than the maximum. */
    static Duration lockLength(Duration base, int strikes, Duration max) {
        Duration length = base;
        for (int i = 1; i < strikes && length.compareTo(max) < 0; i++) {
            length = length.multipliedBy(2);
        }
        return length.compareTo(max) > 0 ? max : length;
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /** Forgets failures long out of every window and locks whose strikes are forgotten. */
    @Scheduled(every = "1h", delayed = "5m")
    Uni<Void> purge() {
        Duration window = settings.email().window().compareTo(settings.ip().window()) > 0 ? settings.email().window() : settings.ip().window();
        return pool.withTransaction(c -> c.preparedQuery("delete from tenancy.login_failures where failed_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of(seconds(window)))
                .chain(() -> c.preparedQuery("delete from tenancy.login_locks where locked_until < now()"
                        + " and last_locked_at < now() - make_interval(secs => $1)").execute(Tuple.of(seconds(settings.strikeMemory())))))
                .replaceWithVoid();
    }
}
