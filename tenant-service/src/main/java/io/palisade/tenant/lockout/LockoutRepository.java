package io.palisade.tenant.lockout;

import java.time.Duration;
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
 * The lockout's state, shared by every instance: failures per key (a login identifier's or a client address's),
 * locks with their strikes, and unlock links. Keys are keyed hashes and addresses, no tenant's rows: the sign-in
 * scope's policies admit these tables (tenancy V2, V9).
 */
@ApplicationScoped
public class LockoutRepository {

    /** A key's last lock: how many strikes it had, and when. */
    public record Strikes(int strikes, OffsetDateTime lastLockedAt) {
    }

    /** Serialises the decisions about one key across every instance, until the transaction ends. */
    public Uni<Void> serialise(SqlConnection c, String kind, String key) {
        return c.preparedQuery("select pg_advisory_xact_lock(hashtext('login-throttle:' || $1 || ':' || $2))")
                .execute(Tuple.of(kind, key)).replaceWithVoid();
    }

    /** Whether the address is locked, or the identifier is (unless {@code identifierProven}). */
    public Uni<Boolean> locked(SqlConnection c, String identifier, String ip, boolean identifierProven) {
        return c.preparedQuery("select exists (select 1 from tenancy.login_locks where locked_until > now()"
                + " and ((kind = 'email' and key = $1 and not $3) or (kind = 'ip' and key = $2))) as locked")
                .execute(Tuple.of(identifier, ip, identifierProven)).map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    /** Whether the identifier is locked now. */
    public Uni<Boolean> identifierLocked(SqlConnection c, String identifier) {
        return c.preparedQuery("select exists (select 1 from tenancy.login_locks where kind = 'email' and key = $1"
                + " and locked_until > now()) as locked").execute(Tuple.of(identifier)).map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    /** The key's failures within the window; older ones are forgotten first. */
    public Uni<Long> recentFailures(SqlConnection c, String kind, String key, Duration window) {
        return c.preparedQuery("delete from tenancy.login_failures where kind = $1 and key = $2"
                + " and failed_at <= now() - make_interval(secs => $3)").execute(Tuple.of(kind, key, seconds(window)))
                .chain(() -> c.preparedQuery("select count(*) as failures from tenancy.login_failures where kind = $1 and key = $2")
                        .execute(Tuple.of(kind, key)))
                .map(rows -> rows.iterator().next().getLong("failures"));
    }

    /** Reserves one attempt as a failure of both keys. */
    public Uni<Void> reserve(SqlConnection c, String identifier, String ip, UUID attempt) {
        return c.preparedQuery("insert into tenancy.login_failures (kind, key, attempt) values ('email', $1, $3), ('ip', $2, $3)")
                .execute(Tuple.of(identifier, ip, attempt)).replaceWithVoid();
    }

    public Uni<Void> withdraw(SqlConnection c, UUID attempt) {
        return c.preparedQuery("delete from tenancy.login_failures where attempt = $1").execute(Tuple.of(attempt)).replaceWithVoid();
    }

    public Uni<Void> clearIdentifierFailures(SqlConnection c, String identifier) {
        return c.preparedQuery("delete from tenancy.login_failures where kind = 'email' and key = $1").execute(Tuple.of(identifier))
                .replaceWithVoid();
    }

    public Uni<Optional<Strikes>> strikes(SqlConnection c, String kind, String key) {
        return c.preparedQuery("select strikes, last_locked_at from tenancy.login_locks where kind = $1 and key = $2")
                .execute(Tuple.of(kind, key))
                .map(rows -> first(rows).map(r -> new Strikes(r.getInteger("strikes"), r.getOffsetDateTime("last_locked_at"))));
    }

    /** Locks the key for {@code length} with its strikes; its failures are spent on the lock. */
    public Uni<Void> lock(SqlConnection c, String kind, String key, Duration length, int strikes) {
        return c.preparedQuery("insert into tenancy.login_locks (kind, key, locked_until, strikes, last_locked_at)"
                + " values ($1, $2, now() + make_interval(secs => $3), $4, now())"
                + " on conflict (kind, key) do update set locked_until = excluded.locked_until,"
                + " strikes = excluded.strikes, last_locked_at = excluded.last_locked_at")
                .execute(Tuple.of(kind, key, seconds(length), strikes))
                .chain(() -> c.preparedQuery("delete from tenancy.login_failures where kind = $1 and key = $2").execute(Tuple.of(kind, key)))
                .replaceWithVoid();
    }

    /** The identifier's lock is lifted and its unlock links are spent. */
    public Uni<Void> liftIdentifierLock(SqlConnection c, String identifier) {
        return c.preparedQuery("delete from tenancy.login_locks where kind = 'email' and key = $1").execute(Tuple.of(identifier))
                .chain(() -> c.preparedQuery("update tenancy.login_unlocks set used_at = now() where identifier = $1 and used_at is null")
                        .execute(Tuple.of(identifier)))
                .replaceWithVoid();
    }

    /**
     * Stores an unlock link unless the identifier was sent {@code maxLinks} within the last {@code ttl}; whether it
     * was stored.
     */
    public Uni<Boolean> issueUnlock(SqlConnection c, String identifier, String tokenHash, Duration ttl, int attempts, int maxLinks) {
        return c.preparedQuery("insert into tenancy.login_unlocks (token_hash, identifier, expires_at, attempts_left)"
                + " select $1, $2, now() + make_interval(secs => $3), $4 where (select count(*) from tenancy.login_unlocks"
                + " where identifier = $2 and created_at > now() - make_interval(secs => $3)) < $5")
                .execute(Tuple.from(List.of(tokenHash, identifier, seconds(ttl), attempts, maxLinks)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Takes one attempt of an unexpired, unspent link issued for the identifier; whether there was one to take. */
    public Uni<Boolean> spendUnlockAttempt(SqlConnection c, String identifier, String tokenHash) {
        return c.preparedQuery("update tenancy.login_unlocks set attempts_left = attempts_left - 1 where token_hash = $1"
                + " and identifier = $2 and used_at is null and expires_at > now() and attempts_left > 0 returning token_hash")
                .execute(Tuple.of(tokenHash, identifier)).map(rows -> rows.rowCount() == 1);
    }

    /** Forgets failures older than {@code failureWindow}, locks whose strikes are forgotten, and unlock links long expired. */
    public Uni<Void> purge(SqlConnection c, Duration failureWindow, Duration strikeMemory) {
        return c.preparedQuery("delete from tenancy.login_failures where failed_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of(seconds(failureWindow)))
                .chain(() -> c.preparedQuery("delete from tenancy.login_locks where locked_until < now()"
                        + " and last_locked_at < now() - make_interval(secs => $1)").execute(Tuple.of(seconds(strikeMemory))))
                .chain(() -> c.query("delete from tenancy.login_unlocks where expires_at < now() - interval '1 day'").execute())
                .replaceWithVoid();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
