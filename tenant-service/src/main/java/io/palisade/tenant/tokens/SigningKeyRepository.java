package io.palisade.tenant.tokens;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Signing keys are platform data, not tenant data: plain statements on the pool, no tenant scope. */
@ApplicationScoped
public class SigningKeyRepository {

    public record StoredKey(String kid, JsonObject publicJwk, String privateKeySealed, boolean active) {
    }

    /** The advisory lock, by name, under which the platform's first key is stored (hashed as the lock's key). */
    public static final String FIRST_KEY_LOCK = "tenancy.signing_keys: first key";

    private final Pool pool;

    SigningKeyRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Every key a verifier may meet: pending, signing, and retired within the grace period. Keys that sign
     * now come first, newest activation first.
     */
    public Uni<List<StoredKey>> published(Duration grace) {
        return pool.preparedQuery("""
                select kid, public_jwk, private_key_sealed,
                       activates_at <= now() and (retired_at is null or retired_at > now()) as active
                  from tenancy.signing_keys
                 where retired_at is null or retired_at > now() - make_interval(secs => $1)
                 order by 4 desc, activates_at desc""")
                .execute(Tuple.of(grace.toSeconds()))
                .map(rows -> {
                    List<StoredKey> keys = new java.util.ArrayList<>();
                    for (Row row : rows) {
                        keys.add(new StoredKey(row.getString("kid"), row.getJsonObject("public_jwk"),
                                row.getString("private_key_sealed"), row.getBoolean("active")));
                    }
                    return keys;
                });
    }

    /**
     * Stores the platform's first key unless there is one: instances that start together on an empty table would
     * otherwise each store their own and sign with it, while the others publish only theirs until their next reload.
     * The transaction's advisory lock lets one store its key; the others then see it and store nothing.
     */
    public Uni<Void> insertFirst(String kid, JsonObject publicJwk, String privateKeySealed) {
        return pool.withTransaction(c -> c.preparedQuery("select pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of(FIRST_KEY_LOCK))
                .chain(() -> c.preparedQuery("""
                        insert into tenancy.signing_keys (kid, public_jwk, private_key_sealed)
                        select $1, $2, $3 where not exists (select 1 from tenancy.signing_keys)""")
                        .execute(Tuple.of(kid, publicJwk, privateKeySealed))))
                .replaceWithVoid();
    }

    /** Retires the current keys after the delay and stages the new one; {@code alongside} runs in the same transaction. */
    public Uni<Void> rotateTo(String kid, JsonObject publicJwk, String privateKeySealed, Duration activationDelay,
            java.util.function.Function<io.vertx.mutiny.sqlclient.SqlConnection, Uni<Void>> alongside) {
        return pool.withTransaction(c -> c.preparedQuery("""
                update tenancy.signing_keys set retired_at = now() + make_interval(secs => $1)
                 where retired_at is null or retired_at > now() + make_interval(secs => $1)""")
                .execute(Tuple.of(activationDelay.toSeconds()))
                .chain(() -> c.preparedQuery("insert into tenancy.signing_keys (kid, public_jwk, private_key_sealed, activates_at)"
                        + " values ($1, $2, $3, now() + make_interval(secs => $4))")
                        .execute(Tuple.of(kid, publicJwk, privateKeySealed, activationDelay.toSeconds())))
                .chain(() -> alongside.apply(c)));
    }
}
