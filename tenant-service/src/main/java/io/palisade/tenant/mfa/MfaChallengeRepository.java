package io.palisade.tenant.mfa;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Sign-ins waiting for their second factor (their SQL, under the scope of the sign-in). */
@ApplicationScoped
public class MfaChallengeRepository {

    /** Wrong codes after which a challenge is spent and the sign-in must start again. */
    public static final int MAX_ATTEMPTS = 5;
    public static final Duration TTL = Duration.ofMinutes(5);

    /** {@code identifierProven}: the sign-in proved the mailbox (an unlock link), so the identifier's lock does not apply. */
    public record Challenge(UUID id, UUID userId, UUID tenantId, String identifier, String step, boolean identifierProven) {
    }

    /** Which user and tenant a presented challenge token belongs to (pending and unexpired only). */
    public Uni<Optional<Challenge>> scope(SqlConnection c, String tokenHash) {
        return c.preparedQuery("select user_id, tenant_id from tenancy.mfa_challenge_scope($1)").execute(Tuple.of(tokenHash))
                .map(rows -> first(rows).map(r -> new Challenge(null, r.getUUID("user_id"), r.getUUID("tenant_id"), null, null, false)));
    }

    public Uni<Void> create(SqlConnection c, UUID userId, UUID tenantId, String identifier, boolean identifierProven, String step,
            String tokenHash) {
        return c.preparedQuery("insert into tenancy.mfa_challenges (id, token_hash, user_id, tenant_id, identifier, step, expires_at,"
                + " identifier_proven) values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7), $8)")
                .execute(Tuple.tuple().addValue(UUID.randomUUID()).addValue(tokenHash).addValue(userId).addValue(tenantId)
                        .addValue(identifier).addValue(step).addValue((double) TTL.toSeconds()).addValue(identifierProven))
                .replaceWithVoid();
    }

    public Uni<Optional<Challenge>> lockPending(SqlConnection c, String tokenHash) {
        return c.preparedQuery("select id, user_id, tenant_id, identifier, step, identifier_proven from tenancy.mfa_challenges"
                + " where token_hash = $1 and used_at is null and expires_at > now() for update")
                .execute(Tuple.of(tokenHash))
                .map(rows -> first(rows).map(r -> new Challenge(r.getUUID("id"), r.getUUID("user_id"), r.getUUID("tenant_id"),
                        r.getString("identifier"), r.getString("step"), r.getBoolean("identifier_proven"))));
    }

    public Uni<Void> markUsed(SqlConnection c, UUID id) {
        return c.preparedQuery("update tenancy.mfa_challenges set used_at = now() where id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /** Counts a wrong code; the last allowed one spends the challenge. */
    public Uni<Void> recordFailure(SqlConnection c, UUID id) {
        return c.preparedQuery("update tenancy.mfa_challenges set failed_attempts = failed_attempts + 1,"
                + " used_at = case when failed_attempts + 1 >= $2 then now() else used_at end where id = $1")
                .execute(Tuple.of(id, MAX_ATTEMPTS)).replaceWithVoid();
    }
}
