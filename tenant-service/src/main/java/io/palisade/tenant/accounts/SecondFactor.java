package io.palisade.tenant.accounts;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.lockout.LoginThrottle;
import io.palisade.tenant.mfa.MfaChallengeRepository;
import io.palisade.tenant.mfa.MfaService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The second step of a sign-in. An enrolled user always gives a code; a platform admin, or an owner or admin
 * of a tenant that requires MFA, who has none enrols first. No token is issued before that. Wrong codes count against the
 * same lockout as wrong passwords, and a challenge takes only a few.
 */
@ApplicationScoped
public class SecondFactor {

    public static final String VERIFY = "verify";
    public static final String ENROL = "enrol";
    private static final String INVALID = "the code is not valid, or the sign-in expired; sign in again if it persists";

    private final TenantTransactions tx;
    private final MfaService mfa;
    private final MfaChallengeRepository challenges;
    private final LoginThrottle throttle;
    private final AccountRepository accounts;
    private final Sessions sessions;

    SecondFactor(TenantTransactions tx, MfaService mfa, MfaChallengeRepository challenges, LoginThrottle throttle, AccountRepository accounts,
            Sessions sessions) {
        this.tx = tx;
        this.mfa = mfa;
        this.challenges = challenges;
        this.throttle = throttle;
        this.accounts = accounts;
        this.sessions = sessions;
    }

    /** After the password: a challenge if a second factor is due, else the session. */
    public Uni<TokenResponse> gate(Grant grant) {
        return tx.inScope(grant.scope(), c -> mfa.isEnrolled(c, grant.userId()).chain(enrolled -> {
            String step = enrolled ? VERIFY : grant.platform() || grant.tenant().mfaRequired() ? ENROL : null;
            if (step == null) {
                return Uni.createFrom().item(Optional.<TokenResponse>empty());
            }
            String token = Hashes.randomToken(32);
            return challenges.create(c, grant.userId(), grant.tenantId(), grant.identifier(), grant.identifierProven(), step, Hashes.sha256Hex(token))
                    .replaceWith(Optional.of(TokenResponse.secondFactor(token, step, MfaChallengeRepository.TTL.toSeconds())));
        })).chain(challenge -> challenge.isPresent() ? Uni.createFrom().item(challenge.get()) : finish(grant));
    }

    /** A code from the authenticator, or one recovery code. */
    public Uni<TokenResponse> verify(String mfaToken, String code, String recoveryCode, String clientIp) {
        return withChallenge(mfaToken, VERIFY, clientIp, (c, challenge) -> (code != null
                ? mfa.verifyCode(c, challenge.userId(), code)
                : mfa.useRecoveryCode(c, challenge.userId(), recoveryCode)).map(ok -> ok ? Optional.of(Boolean.TRUE) : Optional.<Boolean>empty()))
                .chain(passed -> finish(passed.grant()));
    }

    /** Enrolment during sign-in, where the tenant requires MFA: the same as from the account, once. */
    public Uni<MfaService.Enrolment> startEnrolment(String mfaToken) {
        String hash = Hashes.sha256Hex(mfaToken);
        return scopeOf(hash).chain(scope -> tx.inScope(scope, c -> challenges.lockPending(c, hash).chain(challenge -> {
            if (challenge.isEmpty() || !ENROL.equals(challenge.get().step())) {
                throw ProblemException.unauthorized(INVALID);
            }
            return mfa.start(c, challenge.get().userId());
        })));
    }

    public record Enrolled(List<String> recoveryCodes, TokenResponse tokens) {
    }

    public Uni<Enrolled> confirmEnrolment(String mfaToken, String code, String clientIp) {
        return withChallenge(mfaToken, ENROL, clientIp, (c, challenge) -> mfa.confirm(c, challenge.userId(),
                new AuditEvent.Actor(challenge.userId(), TenantContext.STAFF, null, clientIp), challenge.tenantId(), code)
                .map(codes -> codes.isEmpty() ? Optional.<List<String>>empty() : Optional.of(codes)))
                .chain(passed -> finish(passed.grant()).map(tokens -> new Enrolled(passed.value(), tokens)));
    }

    /** Checks the code; present (with what the check produced) when it passed. */
    private interface CodeCheck<T> {
        Uni<Optional<T>> passes(SqlConnection c, MfaChallengeRepository.Challenge challenge);
    }

    private enum Outcome { PASSED, FAILED, LOCKED }

    private record Checked<T>(Outcome outcome, MfaChallengeRepository.Challenge challenge, T value) {
    }

    private record Passed<T>(Grant grant, T value) {
    }

    /**
     * Runs the code check on the locked, pending challenge, as an attempt under the login lockout (reserved
     * first, serialised per identifier). A pass spends the challenge and yields the grant; a failure is counted
     * on the challenge and in the lockout, audited, and committed before the 401.
     */
    private <T> Uni<Passed<T>> withChallenge(String mfaToken, String step, String clientIp, CodeCheck<T> check) {
        String hash = Hashes.sha256Hex(mfaToken);
        return scopeOf(hash).chain(scope -> tx.inScope(scope, c -> challenges.lockPending(c, hash).chain(found -> {
            if (found.isEmpty() || !step.equals(found.get().step())) {
                throw ProblemException.unauthorized(INVALID);
            }
            MfaChallengeRepository.Challenge challenge = found.get();
            return throttle.admit(c, challenge.identifier(), clientIp, challenge.identifierProven()).chain(attempt -> !attempt.admitted()
                    ? throttle.failed(c, attempt, challenge.userId(), "locked").replaceWith(new Checked<T>(Outcome.LOCKED, challenge, null))
                    : check.passes(c, challenge).chain(passed -> passed.isPresent()
                            ? challenges.markUsed(c, challenge.id()).chain(() -> throttle.passed(c, attempt))
                                    .replaceWith(new Checked<>(Outcome.PASSED, challenge, passed.get()))
                            : challenges.recordFailure(c, challenge.id())
                                    .chain(() -> throttle.failed(c, attempt, challenge.userId(), "bad_second_factor"))
                                    .replaceWith(new Checked<T>(Outcome.FAILED, challenge, null))));
        }))).chain(checked -> {
            if (checked.outcome() != Outcome.PASSED) {
                throw ProblemException.unauthorized(INVALID);
            }
            return grantOf(checked.challenge()).map(grant -> new Passed<>(grant, checked.value()));
        });
    }

    private Uni<DbScope> scopeOf(String challengeHash) {
        return tx.inScope(DbScope.anonymous(), c -> challenges.scope(c, challengeHash)).map(found -> found
                .map(challenge -> new DbScope(challenge.tenantId(), challenge.userId(), TenantContext.STAFF))
                .orElseThrow(() -> ProblemException.unauthorized(INVALID)));
    }

    /** The membership (or platform role) as it is now, not as it was when the password was given. */
    private Uni<Grant> grantOf(MfaChallengeRepository.Challenge challenge) {
        DbScope scope = new DbScope(challenge.tenantId(), challenge.userId(), TenantContext.STAFF);
        if (challenge.tenantId() == null) {
            return tx.inScope(scope, c -> accounts.isPlatformAdmin(c, challenge.userId())).map(admin -> {
                if (!admin) {
                    throw ProblemException.forbidden("this account is no longer a platform admin");
                }
                return new Grant(challenge.userId(), null, challenge.identifier(), challenge.identifierProven(), Grant.PASSWORD_AND_OTP);
            });
        }
        return tx.inScope(scope, c -> accounts.activeMembership(c, challenge.tenantId(), challenge.userId()))
                .map(membership -> new Grant(challenge.userId(),
                        membership.orElseThrow(() -> ProblemException.forbidden("the membership is no longer active")),
                        challenge.identifier(), challenge.identifierProven(), Grant.PASSWORD_AND_OTP));
    }

    /** Both factors passed: the identifier's failures are cleared (its lock lifted, if the mailbox was proven) and the session starts. */
    Uni<TokenResponse> finish(Grant grant) {
        return tx.inScope(DbScope.anonymous(), c -> throttle.cleared(c, grant.identifier())
                        .chain(() -> grant.identifierProven() ? throttle.lifted(c, grant.identifier()) : Uni.createFrom().voidItem()))
                .chain(() -> sessions.start(grant));
    }
}
