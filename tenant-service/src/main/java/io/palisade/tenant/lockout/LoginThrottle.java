package io.palisade.tenant.lockout;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Pseudonyms;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Login lockout, with its state in PostgreSQL so every instance of the service enforces the same limits.
 * Two independent keys per attempt: the login identifier (a keyed hash of the email, whether or not an
 * account has it) and the client address. Every attempt is reserved as a failure before the password or code
 * is checked, under an advisory lock per key, so concurrent attempts cannot slip past the limit together; an
 * attempt that passes removes its reservation. An attempt that finds the limit reached locks the key, each
 * further lock twice as long as the one before. Every failure and every lock is an audit event.
 */
@ApplicationScoped
public class LoginThrottle {

    static final String EMAIL = "email";
    static final String IP = "ip";
    private static final String IDENTIFIER_PURPOSE = "login-identifier";

    private final LockoutSettings settings;
    private final LockoutRepository lockout;
    private final AuditLog audit;
    private final MeterRegistry registry;
    private final Pseudonyms pseudonyms;
    private final TenantTransactions tx;

    LoginThrottle(LockoutSettings settings, LockoutRepository lockout, AuditLog audit, MeterRegistry registry, Pseudonyms pseudonyms,
            TenantTransactions tx) {
        this.settings = settings;
        this.lockout = lockout;
        this.audit = audit;
        this.registry = registry;
        this.pseudonyms = pseudonyms;
        this.tx = tx;
    }

    /** One attempt: admitted (reserved, to be settled) or refused by a lock. */
    public record Attempt(String identifier, String ip, UUID id, boolean admitted) {
    }

    /** The stored key of a login identifier: keyed, so the email cannot be recovered from it by guessing. */
    public String identifier(String email) {
        return pseudonyms.of(IDENTIFIER_PURPOSE, email.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * Reserves an attempt against both keys, or refuses it: when a key is locked, or when its failures in the
     * window already reached the limit (which locks it now). Commit before verifying, so that the reservation
     * counts for every concurrent attempt.
     */
    public Uni<Attempt> admit(SqlConnection c, String identifier, String ip) {
        return admit(c, identifier, ip, false);
    }

    /**
     * As {@link #admit(SqlConnection, String, String)}; an attempt whose identifier was proven another way (an unlock
     * link from the mailbox) passes the identifier's lock and limit, never the address's.
     */
    public Uni<Attempt> admit(SqlConnection c, String identifier, String ip, boolean identifierProven) {
        UUID id = UUID.randomUUID();
        Attempt refused = new Attempt(identifier, ip, id, false);
        return lockout.serialise(c, EMAIL, identifier).chain(() -> lockout.serialise(c, IP, ip))
                .chain(() -> lockout.locked(c, identifier, ip, identifierProven))
                .chain(locked -> locked ? Uni.createFrom().item(refused)
                        : (identifierProven ? Uni.createFrom().item(false) : reachedLimit(c, EMAIL, identifier, settings.email(), ip))
                                .chain(emailFull -> emailFull ? Uni.createFrom().item(refused)
                                : reachedLimit(c, IP, ip, settings.ip(), ip).chain(ipFull -> ipFull ? Uni.createFrom().item(refused)
                                        : lockout.reserve(c, identifier, ip, id).replaceWith(new Attempt(identifier, ip, id, true)))));
    }

    /** The attempt failed (or was refused): its reservation stays as a failure, and it is audited. */
    public Uni<Void> failed(SqlConnection c, Attempt attempt, UUID userId, String reason) {
        String recorded = attempt.admitted() ? reason : "locked";
        return audit.record(c, new AuditEvent(null, "auth.login_failed", AuditEvent.Actor.anonymous(attempt.ip()),
                userId == null ? "login_identifier" : "user", userId == null ? attempt.identifier() : userId.toString(), AuditEvent.FAILURE,
                null, null, new JsonObject().put("reason", recorded).put("identifier", attempt.identifier())))
                .invoke(() -> registry.counter("palisade.logins.failed", "reason", recorded).increment());
    }

    /** The attempt's credential was right: its reservation is withdrawn. */
    public Uni<Void> passed(SqlConnection c, Attempt attempt) {
        return lockout.withdraw(c, attempt.id());
    }

    /**
     * A complete sign-in (every factor) clears the identifier's failures; never the address's, or one valid
     * account would reset a password-spraying address.
     */
    public Uni<Void> cleared(SqlConnection c, String identifier) {
        return lockout.clearIdentifierFailures(c, identifier);
    }

    /**
     * Whether an unlock link proves the identifier for this attempt: issued for it, unexpired, unspent, with attempts
     * left (each use takes one, so a leaked link does not buy unlimited guesses).
     */
    public Uni<Boolean> provenByUnlock(SqlConnection c, String identifier, String unlockTokenHash) {
        return lockout.spendUnlockAttempt(c, identifier, unlockTokenHash);
    }

    /** The mailbox's owner signed in: the identifier's lock is lifted and its unlock links are spent. */
    public Uni<Void> lifted(SqlConnection c, String identifier) {
        return lockout.liftIdentifierLock(c, identifier);
    }

    /** Whether the identifier is locked now. */
    public Uni<Boolean> isLocked(SqlConnection c, String identifier) {
        return lockout.identifierLocked(c, identifier);
    }

    private Uni<Boolean> reachedLimit(SqlConnection c, String kind, String key, LockoutSettings.Limit limit, String ip) {
        return lockout.recentFailures(c, kind, key, limit.window())
                .chain(failures -> failures >= limit.maxFailures()
                        ? lock(c, kind, key, limit, ip).replaceWith(true)
                        : Uni.createFrom().item(false));
    }

    private Uni<Void> lock(SqlConnection c, String kind, String key, LockoutSettings.Limit limit, String ip) {
        return lockout.strikes(c, kind, key)
                .chain(last -> {
                    int strikes = last.filter(l -> l.lastLockedAt().isAfter(OffsetDateTime.now().minus(settings.strikeMemory())))
                            .map(l -> l.strikes() + 1).orElse(1);
                    Duration length = lockLength(limit.baseLock(), strikes, settings.maxLock());
                    return lockout.lock(c, kind, key, length, strikes)
                            .chain(() -> audit.record(c, new AuditEvent(null, "auth.locked", AuditEvent.Actor.anonymous(ip),
                                    EMAIL.equals(kind) ? "login_identifier" : "client_address", key, AuditEvent.SUCCESS, null, null,
                                    new JsonObject().put("kind", kind).put("strikes", strikes).put("lockSeconds", length.toSeconds()))))
                            .invoke(() -> registry.counter("palisade.logins.lockouts", "kind", kind).increment());
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

    /** Forgets failures long out of every window, locks whose strikes are forgotten, and unlock links long expired. */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        Duration window = settings.email().window().compareTo(settings.ip().window()) > 0 ? settings.email().window() : settings.ip().window();
        return tx.inBackground(DbScope.anonymous(), c -> lockout.purge(c, window, settings.strikeMemory()));
    }
}
