package io.palisade.tenant.accounts;

import static io.palisade.common.db.Rows.first;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.tenant.passwords.PasswordService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Pending signups and the links that prove an invited account's email (docs/accounts.md). */
@ApplicationScoped
public class SignupRepository {

    /** A signup request, kept until its link is opened. */
    public record PendingSignup(String email, String tenantSlug, String tenantName, String displayName, PasswordService.NewPassword password) {
    }

    public Uni<Boolean> slugInUse(SqlConnection c, String slug) {
        return c.preparedQuery("select tenancy.active_tenant_id($1) is not null as taken").execute(Tuple.of(slug))
                .map(rows -> rows.iterator().next().getBoolean("taken"));
    }

    /** Stores the request unless the email was sent {@code max} requests' mails within {@code ttl}; whether it did. */
    public Uni<Boolean> keepPending(SqlConnection c, String tokenHash, PendingSignup pending, Duration ttl, int max) {
        return c.preparedQuery("insert into tenancy.pending_signups (token_hash, email, tenant_slug, tenant_name, display_name,"
                + " password_hash, history_hash, expires_at) select $1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8)"
                + " where (select count(*) from tenancy.pending_signups where email = $2 and created_at > now() - make_interval(secs => $8)) < $9")
                .execute(Tuple.from(List.of(tokenHash, pending.email(), pending.tenantSlug(), pending.tenantName(), pending.displayName(),
                        pending.password().loginHash(), pending.password().historyHash(), (double) ttl.toSeconds(), max)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** The unspent, unexpired request of a link, locked until the transaction ends. */
    public Uni<Optional<PendingSignup>> lockPending(SqlConnection c, String tokenHash) {
        return c.preparedQuery("select email, tenant_slug, tenant_name, display_name, password_hash, history_hash from tenancy.pending_signups"
                + " where token_hash = $1 and used_at is null and expires_at > now() for update").execute(Tuple.of(tokenHash))
                .map(rows -> first(rows).map(r -> new PendingSignup(r.getString("email"), r.getString("tenant_slug"), r.getString("tenant_name"),
                        r.getString("display_name"), new PasswordService.NewPassword(r.getString("password_hash"), r.getString("history_hash")))));
    }

    public Uni<Void> spendPending(SqlConnection c, String tokenHash) {
        return c.preparedQuery("update tenancy.pending_signups set used_at = now() where token_hash = $1").execute(Tuple.of(tokenHash))
                .replaceWithVoid();
    }

    /** Stores an email proof link unless the account was sent {@code max} within {@code ttl}; whether it did. */
    public Uni<Boolean> keepEmailProof(SqlConnection c, String tokenHash, UUID userId, Duration ttl, int max) {
        return c.preparedQuery("insert into tenancy.account_email_proofs (token_hash, user_id, expires_at)"
                + " select $1, $2, now() + make_interval(secs => $3) where (select count(*) from tenancy.account_email_proofs"
                + " where user_id = $2 and created_at > now() - make_interval(secs => $3)) < $4")
                .execute(Tuple.from(List.of(tokenHash, userId, (double) ttl.toSeconds(), max))).map(rows -> rows.rowCount() == 1);
    }

    /** Spends an unspent, unexpired email proof link; the account it was sent to. */
    public Uni<Optional<UUID>> spendEmailProof(SqlConnection c, String tokenHash) {
        return c.preparedQuery("update tenancy.account_email_proofs set used_at = now() where token_hash = $1 and used_at is null"
                + " and expires_at > now() returning user_id").execute(Tuple.of(tokenHash)).map(rows -> first(rows).map(r -> r.getUUID("user_id")));
    }

    /** The scope's own user (DbScope.user) has proven its email. */
    public Uni<Void> markEmailProven(SqlConnection c, UUID userId) {
        return c.preparedQuery("update tenancy.users set email_proven_at = now() where id = $1 and email_proven_at is null").execute(Tuple.of(userId))
                .replaceWithVoid();
    }

    /** Forgets requests and proof links a day after they expired. */
    public Uni<Void> purgeExpired(SqlConnection c) {
        return c.query("delete from tenancy.pending_signups where expires_at < now() - interval '1 day'").execute()
                .chain(() -> c.query("delete from tenancy.account_email_proofs where expires_at < now() - interval '1 day'").execute())
                .replaceWithVoid();
    }
}
