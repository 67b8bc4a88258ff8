package io.palisade.tenant.passwords;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** A user's own password and history rows; the scope's user is always the account's user. */
@ApplicationScoped
public class PasswordRepository {

    public Uni<Optional<String>> currentHash(SqlConnection c, UUID userId) {
        return c.preparedQuery("select password_hash from tenancy.users where id = $1 and status = 'active'")
                .execute(Tuple.of(userId)).map(rows -> first(rows).map(r -> r.getString("password_hash")));
    }

    public Uni<String> email(SqlConnection c, UUID userId) {
        return c.preparedQuery("select email from tenancy.users where id = $1").execute(Tuple.of(userId))
                .map(rows -> rows.iterator().next().getString("email"));
    }

    public Uni<List<String>> history(SqlConnection c, UUID userId) {
        return c.preparedQuery("select hash from tenancy.password_history where user_id = $1 order by created_at desc" + RowLimit.of(PasswordHistory.DEPTH))
                .execute(Tuple.of(userId)).map(rows -> all(rows, r -> r.getString("hash")));
    }

    /** Adds the new password's history hash and forgets all but the newest {@link PasswordHistory#DEPTH}. */
    public Uni<Void> remember(SqlConnection c, UUID userId, String historyHash) {
        return c.preparedQuery("insert into tenancy.password_history (id, user_id, hash) values ($1, $2, $3)")
                .execute(Tuple.of(UUID.randomUUID(), userId, historyHash))
                .chain(() -> c.preparedQuery("delete from tenancy.password_history where user_id = $1 and id not in"
                        + " (select id from tenancy.password_history where user_id = $1 order by created_at desc, id limit $2)")
                        .execute(Tuple.of(userId, PasswordHistory.DEPTH)))
                .replaceWithVoid();
    }

    /** Replaces the login hash only if it is still the one the current password was checked against. */
    public Uni<Boolean> replace(SqlConnection c, UUID userId, String expectedHash, String newHash) {
        return c.preparedQuery("update tenancy.users set password_hash = $3, updated_at = now()"
                + " where id = $1 and password_hash = $2 and status = 'active'")
                .execute(Tuple.of(userId, expectedHash, newHash)).map(rows -> rows.rowCount() == 1);
    }

    /** Under the user's own scope (DbScope.user): ends their sessions in every tenant but the one kept (refresh_tokens_own_revoke). */
    public Uni<Integer> revokeOtherSessions(SqlConnection c, UUID keepFamily) {
        return c.preparedQuery("update tenancy.refresh_tokens set revoked_at = now() where user_id = tenancy.current_user_id()"
                + " and revoked_at is null and family_id is distinct from $1").execute(Tuple.of(keepFamily))
                .map(rows -> rows.rowCount());
    }
}
