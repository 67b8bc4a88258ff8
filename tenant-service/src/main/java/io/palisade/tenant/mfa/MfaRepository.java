package io.palisade.tenant.mfa;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** A user's own authenticator and recovery codes (row-level security: the scope's user only). */
@ApplicationScoped
public class MfaRepository {

    public record Authenticator(String secretSealed, boolean confirmed, long lastUsedStep) {
    }

    public Uni<Optional<Authenticator>> lock(SqlConnection c, UUID userId) {
        return c.preparedQuery("select secret_sealed, confirmed_at, last_used_step from tenancy.mfa_totp where user_id = $1 for update")
                .execute(Tuple.of(userId))
                .map(rows -> first(rows).map(r -> new Authenticator(r.getString("secret_sealed"), r.getValue("confirmed_at") != null,
                        r.getLong("last_used_step"))));
    }

    public Uni<Boolean> isEnrolled(SqlConnection c, UUID userId) {
        return c.preparedQuery("select exists (select 1 from tenancy.mfa_totp where user_id = $1 and confirmed_at is not null) as enrolled")
                .execute(Tuple.of(userId)).map(rows -> rows.iterator().next().getBoolean("enrolled"));
    }

    /** A new, unconfirmed authenticator, replacing an earlier unconfirmed one. */
    public Uni<Void> saveUnconfirmed(SqlConnection c, UUID userId, String secretSealed) {
        return c.preparedQuery("insert into tenancy.mfa_totp (user_id, secret_sealed) values ($1, $2)"
                + " on conflict (user_id) do update set secret_sealed = excluded.secret_sealed, last_used_step = 0, created_at = now()"
                + " where tenancy.mfa_totp.confirmed_at is null")
                .execute(Tuple.of(userId, secretSealed)).replaceWithVoid();
    }

    public Uni<Void> confirm(SqlConnection c, UUID userId, long step) {
        return c.preparedQuery("update tenancy.mfa_totp set confirmed_at = now(), last_used_step = $2 where user_id = $1")
                .execute(Tuple.of(userId, step)).replaceWithVoid();
    }

    /** Spends the code's time step: true only for a step later than every step used before. */
    public Uni<Boolean> useStep(SqlConnection c, UUID userId, long step) {
        return c.preparedQuery("update tenancy.mfa_totp set last_used_step = $2 where user_id = $1 and last_used_step < $2")
                .execute(Tuple.of(userId, step)).map(rows -> rows.rowCount() == 1);
    }

    public Uni<Void> replaceRecoveryCodes(SqlConnection c, UUID userId, List<String> codeHashes) {
        return c.preparedQuery("delete from tenancy.mfa_recovery_codes where user_id = $1").execute(Tuple.of(userId))
                .chain(() -> c.preparedQuery("insert into tenancy.mfa_recovery_codes (user_id, code_hash) values ($1, $2)")
                        .executeBatch(codeHashes.stream().map(hash -> Tuple.of(userId, hash)).toList()))
                .replaceWithVoid();
    }

    public Uni<Boolean> useRecoveryCode(SqlConnection c, UUID userId, String codeHash) {
        return c.preparedQuery("update tenancy.mfa_recovery_codes set used_at = now() where user_id = $1 and code_hash = $2 and used_at is null")
                .execute(Tuple.of(userId, codeHash)).map(rows -> rows.rowCount() == 1);
    }

    public Uni<Integer> remainingRecoveryCodes(SqlConnection c, UUID userId) {
        return c.preparedQuery("select count(*)::int as remaining from tenancy.mfa_recovery_codes where user_id = $1 and used_at is null")
                .execute(Tuple.of(userId)).map(rows -> rows.iterator().next().getInteger("remaining"));
    }

    public Uni<Void> remove(SqlConnection c, UUID userId) {
        return c.preparedQuery("delete from tenancy.mfa_recovery_codes where user_id = $1").execute(Tuple.of(userId))
                .chain(() -> c.preparedQuery("delete from tenancy.mfa_totp where user_id = $1").execute(Tuple.of(userId)))
                .replaceWithVoid();
    }

    public Uni<String> email(SqlConnection c, UUID userId) {
        return c.preparedQuery("select email from tenancy.users where id = $1").execute(Tuple.of(userId))
                .map(rows -> rows.iterator().next().getString("email"));
    }
}
