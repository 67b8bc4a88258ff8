package io.palisade.tenant.mfa;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.tokens.SignedInUser;
import io.palisade.tenant.lockout.LoginThrottle;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * A signed-in user's own authenticator. Wrong codes count against the account's login lockout, so a stolen
 * access token cannot be used to guess codes.
 */
@ApplicationScoped
public class AuthenticatorService {

    private final TenantTransactions tx;
    private final MfaService mfa;
    private final MfaRepository repository;
    private final LoginThrottle throttle;

    AuthenticatorService(TenantTransactions tx, MfaService mfa, MfaRepository repository, LoginThrottle throttle) {
        this.tx = tx;
        this.mfa = mfa;
        this.repository = repository;
        this.throttle = throttle;
    }

    public record Status(boolean enrolled, int recoveryCodesRemaining) {
    }

    public Uni<Status> status(SignedInUser user) {
        return tx.inScope(user.scope(), c -> mfa.isEnrolled(c, user.userId())
                .chain(enrolled -> repository.remainingRecoveryCodes(c, user.userId()).map(left -> new Status(enrolled, left))));
    }

    public Uni<MfaService.Enrolment> start(SignedInUser user) {
        return tx.inScope(user.scope(), c -> mfa.start(c, user.userId()));
    }

    public Uni<List<String>> confirm(SignedInUser user, String code, String clientIp) {
        return guarded(user, clientIp, c -> mfa.confirm(c, user.userId(), user.actor(clientIp), user.tenantId(), code), List::isEmpty);
    }

    public Uni<Boolean> disable(SignedInUser user, String code, String clientIp) {
        return guarded(user, clientIp, c -> mfa.disable(c, user.userId(), user.actor(clientIp), user.tenantId(), code), ok -> !ok);
    }

    /**
     * Step-up: a fresh authenticator code (never a recovery code, never one already used) before a sensitive
     * action, checked and counted like a sign-in's second factor; 422 and a recorded failure if it is wrong.
     */
    public Uni<Void> stepUp(SignedInUser user, String code, String clientIp) {
        return guarded(user, clientIp, c -> mfa.verifyCode(c, user.userId(), code), ok -> !ok).replaceWithVoid();
    }

    private interface Work<T> {
        Uni<T> run(SqlConnection c);
    }

    private interface Failed<T> {
        boolean test(T result);
    }

    /**
     * The code check as an attempt under the account's login lockout (reserved first, serialised per
     * identifier): refused while locked; a wrong code is recorded, audited, committed, and answered with 422.
     */
    private <T> Uni<T> guarded(SignedInUser user, String clientIp, Work<T> work, Failed<T> failed) {
        DbScope scope = user.scope();
        return tx.inScope(scope, c -> repository.email(c, user.userId()).map(throttle::identifier)
                .chain(identifier -> throttle.admit(c, identifier, clientIp))
                .chain(attempt -> !attempt.admitted()
                        ? throttle.failed(c, attempt, user.userId(), "locked").replaceWith(new Outcome<T>(null, false))
                        : work.run(c).chain(result -> failed.test(result)
                                ? throttle.failed(c, attempt, user.userId(), "bad_second_factor").replaceWith(new Outcome<>(result, false))
                                : throttle.passed(c, attempt).replaceWith(new Outcome<>(result, true)))))
                .map(outcome -> {
                    if (!outcome.passed()) {
                        throw ProblemException.unprocessable("the code is not valid");
                    }
                    return outcome.result();
                });
    }

    private record Outcome<T>(T result, boolean passed) {
    }
}
