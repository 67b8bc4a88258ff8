package io.palisade.tenant.passwords;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.lockout.LoginThrottle;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Setting a password: the policy, the login hash, the history that refuses reuse. */
@ApplicationScoped
public class PasswordService {

    private final PasswordPolicy policy;
    private final PasswordHasher hasher;
    private final PasswordHistory history;
    private final PasswordRepository passwords;
    private final TenantTransactions tx;
    private final AuditLog audit;
    private final LoginThrottle throttle;

    PasswordService(PasswordPolicy policy, PasswordHasher hasher, PasswordHistory history, PasswordRepository passwords,
            TenantTransactions tx, AuditLog audit, LoginThrottle throttle) {
        this.policy = policy;
        this.hasher = hasher;
        this.history = history;
        this.passwords = passwords;
        this.tx = tx;
        this.audit = audit;
        this.throttle = throttle;
    }

    /** A password that passed the policy, hashed for login (bcrypt) and for the history (PBKDF2). */
    public record NewPassword(String loginHash, String historyHash) {
    }

    public Uni<NewPassword> prepare(String password) {
        return policy.check(password).chain(() -> hashes(password));
    }

    /** Records a new account's first password in its history (same transaction as the account). */
    public Uni<Void> remember(SqlConnection c, UUID userId, NewPassword password) {
        return passwords.remember(c, userId, password.historyHash());
    }

    /** Who changes their password, and in which sign-in session (kept; every other one ends). */
    public record Caller(DbScope scope, String role, UUID sessionId, String clientIp) {
    }

    private record Stored(String loginHash, List<String> history, LoginThrottle.Attempt attempt) {
    }

    /**
     * Changes the caller's password: the current one must be right, the new one must pass the policy and
     * differ from the last {@link PasswordHistory#DEPTH}. Every other session of the account ends.
     */
    public Uni<Void> change(Caller caller, String currentPassword, String newPassword) {
        UUID userId = caller.scope().userId();
        // The current password is checked as a login attempt would be: under the account's lockout.
        return tx.inScope(caller.scope(), c -> passwords.currentHash(c, userId).chain(current -> current.isEmpty()
                ? Uni.createFrom().item(Optional.<Stored>empty())
                : passwords.history(c, userId).chain(previous -> passwords.email(c, userId)
                        .chain(email -> throttle.admit(c, throttle.identifier(email), caller.clientIp()))
                        .map(attempt -> Optional.of(new Stored(current.get(), previous, attempt))))))
                .chain(found -> {
                    Stored stored = found.orElseThrow(() -> ProblemException.forbidden("this account cannot change its password"));
                    return hasher.matches(currentPassword, stored.loginHash())
                            .chain(ok -> ok && stored.attempt().admitted()
                                    ? tx.inScope(caller.scope(), c -> throttle.passed(c, stored.attempt()))
                                    : tx.inScope(caller.scope(), c -> throttle.failed(c, stored.attempt(), userId, "bad_credentials"))
                                            .map(ignored -> {
                                                throw ProblemException.forbidden("the current password is not correct");
                                            }))
                            .chain(() -> policy.check(newPassword))
                            .chain(() -> reused(newPassword, stored))
                            .chain(reused -> {
                                if (reused) {
                                    throw PasswordPolicy.refusal(List.of(new PasswordPolicy.Violation("reused",
                                            "must differ from your last " + PasswordHistory.DEPTH + " passwords")));
                                }
                                return hashes(newPassword);
                            })
                            .chain(next -> tx.inScope(caller.scope(), c -> replace(c, caller, stored.loginHash(), next)));
                });
    }

    private Uni<Boolean> reused(String password, Stored stored) {
        return hasher.matches(password, stored.loginHash())
                .chain(current -> current ? Uni.createFrom().item(true) : history.matchesAny(password, stored.history()));
    }

    private Uni<Void> replace(SqlConnection c, Caller caller, String expectedHash, NewPassword next) {
        UUID userId = caller.scope().userId();
        return passwords.replace(c, userId, expectedHash, next.loginHash()).chain(replaced -> {
            if (!replaced) {
                throw ProblemException.conflict("the password was changed meanwhile; sign in again");
            }
            return passwords.remember(c, userId, next.historyHash())
                    // The user's sessions in every tenant are theirs to end under their own scope; then back to the caller's.
                    .chain(() -> tx.rescope(c, DbScope.user(userId)))
                    .chain(() -> passwords.revokeOtherSessions(c, caller.sessionId()))
                    .call(() -> tx.rescope(c, caller.scope()))
                    .chain(revoked -> audit.record(c, new AuditEvent(caller.scope().tenantId(), "account.password_changed",
                            new AuditEvent.Actor(userId, caller.role(), null, caller.clientIp()), "user", userId.toString(),
                            AuditEvent.SUCCESS, null, null, new JsonObject().put("otherSessionsEnded", revoked))));
        });
    }

    private Uni<NewPassword> hashes(String password) {
        return hasher.hash(password).chain(loginHash -> history.hash(password).map(historyHash -> new NewPassword(loginHash, historyHash)));
    }
}
