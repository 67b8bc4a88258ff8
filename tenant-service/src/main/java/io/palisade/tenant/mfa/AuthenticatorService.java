package io.palisade.tenant.mfa;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.accounts.SignedInUser;
import io.palisade.tenant.lockout.LoginThrottle;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * A signed-in user's own authenticator. Wrong codes count against the account's login lockout, so a stolen
 * access token cannot be used to guess codes.
 */
@ApplicationScoped
public class AuthenticatorService {

    @Inject
    TenantTransactions tx;

    @Inject
    MfaService mfa;

    @Inject
    MfaRepository repository;

    @Inject
    LoginThrottle throttle;

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

    private interface Work<T> {
        Uni<T> run(SqlConnection c);
    }

    private interface Failed<T> {
        boolean test(T result);
    }

    /** Refuses while the account is locked; a wrong code is recorded as a failure (committed) and refused. */
    private <T> Uni<T> guarded(SignedInUser user, String clientIp, Work<T> work, Failed<T> failed) {
        DbScope scope = user.scope();
        return tx.inScope(scope, c -> repository.email(c, user.userId()).map(LoginThrottle::emailKey)
                .chain(identifier -> throttle.isLocked(c, identifier, clientIp).chain(locked -> {
                    if (locked) {
                        return Uni.createFrom().item(new Attempt<T>(identifier, null, "locked"));
                    }
                    return work.run(c).map(result -> new Attempt<>(identifier, result, failed.test(result) ? "bad_second_factor" : null));
                })))
                .chain(attempt -> attempt.failure() == null ? Uni.createFrom().item(attempt.result())
                        : tx.inScope(DbScope.anonymous(), c -> throttle.recordFailure(c, attempt.identifier(), clientIp, user.userId(),
                                attempt.failure())).map(ignored -> {
                                    throw ProblemException.unprocessable("the code is not valid");
                                }));
    }

    private record Attempt<T>(String identifier, T result, String failure) {
    }
}
