package io.palisade.tenant.accounts;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.crypto.Hashes;
import io.palisade.common.events.TenancyContract;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Problem;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.accounts.AccountRepository.TenantChoice;
import io.palisade.tenant.lockout.LoginThrottle;
import io.palisade.tenant.passwords.PasswordHasher;
import io.palisade.tenant.passwords.PasswordService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Login, refresh rotation with reuse detection, logout, accepting invitations. */
@ApplicationScoped
public class AccountService {

    /** Where the platform admin signs in instead of a tenant. */
    public static final String PLATFORM_CHOICE = "platform";
    private static final String BAD_CREDENTIALS = "the email or password is not correct";

    private final TenantTransactions tx;
    private final AccountRepository accounts;
    private final Outbox outbox;
    private final PasswordHasher passwords;
    private final PasswordService newPasswords;
    private final LoginThrottle throttle;
    private final Sessions sessions;
    private final SecondFactor secondFactor;
    private final EmailProofs emailProofs;

    AccountService(TenantTransactions tx, AccountRepository accounts, Outbox outbox, PasswordHasher passwords,
            PasswordService newPasswords, LoginThrottle throttle, Sessions sessions, SecondFactor secondFactor, EmailProofs emailProofs) {
        this.tx = tx;
        this.accounts = accounts;
        this.outbox = outbox;
        this.passwords = passwords;
        this.newPasswords = newPasswords;
        this.throttle = throttle;
        this.sessions = sessions;
        this.secondFactor = secondFactor;
        this.emailProofs = emailProofs;
    }

    private record Pending(LoginThrottle.Attempt attempt, Optional<AccountRepository.Login> account, boolean identifierProven) {
    }

    /**
     * Verifies the credentials under the lockout rules. A locked identifier or address, an unknown email, a
     * wrong password and an inactive account all get the same answer after the same work (one bcrypt
     * verification and the same writes), so the answer tells nothing about which it was. An unlock link's code
     * (sent to the mailbox of a locked identifier) lets the attempt past the identifier's lock, never the address's.
     */
    public Uni<TokenResponse> login(AccountRequests.Login request, String clientIp) {
        String email = request.email().toLowerCase(Locale.ROOT);
        String identifier = throttle.identifier(email);
        return tx.inScope(DbScope.anonymous(), c -> (request.unlockToken() == null ? Uni.createFrom().item(false)
                        : throttle.provenByUnlock(c, identifier, Hashes.sha256Hex(request.unlockToken())))
                        .chain(proven -> throttle.admit(c, identifier, clientIp, proven)
                                .chain(attempt -> accounts.findLogin(c, email).map(account -> new Pending(attempt, account, proven)))))
                .chain(pending -> verify(pending, request.password()).chain(account -> chooseTenant(account, request.tenant(), identifier,
                        pending.identifierProven()).chain(secondFactor::gate)));
    }

    /**
     * Checks the password of an admitted attempt. Refused, wrong or inactive: the failure is recorded and the
     * answer is the same 401. Right: the attempt's reservation is withdrawn (the identifier's earlier failures
     * stay until the whole sign-in succeeds).
     */
    private Uni<AccountRepository.Login> verify(Pending pending, String password) {
        Optional<AccountRepository.Login> account = pending.account();
        return (account.isEmpty() ? passwords.matchesNothing(password) : passwords.matches(password, account.get().passwordHash()))
                .chain(matches -> {
                    String failure = !pending.attempt().admitted() ? "locked"
                            : !matches ? "bad_credentials"
                            : !"active".equals(account.get().status()) ? "inactive" : null;
                    if (failure != null) {
                        UUID userId = account.map(AccountRepository.Login::userId).orElse(null);
                        return tx.inScope(DbScope.anonymous(), c -> throttle.failed(c, pending.attempt(), userId, failure))
                                .map(ignored -> {
                                    throw ProblemException.unauthorized(BAD_CREDENTIALS);
                                });
                    }
                    return tx.inScope(DbScope.anonymous(), c -> throttle.passed(c, pending.attempt())).replaceWith(account.get());
                });
    }

    private Uni<Grant> chooseTenant(AccountRepository.Login login, String requested, String identifier, boolean identifierProven) {
        return tx.inScope(DbScope.user(login.userId()), c -> accounts.tenantChoices(c)).map(choices -> {
            if (PLATFORM_CHOICE.equals(requested) || (requested == null && choices.isEmpty())) {
                if (!login.platformAdmin()) {
                    throw ProblemException.forbidden("this account is not a member of any active tenant");
                }
                return new Grant(login.userId(), null, identifier, identifierProven, Grant.PASSWORD);
            }
            Optional<TenantChoice> chosen = requested == null && choices.size() == 1 && !login.platformAdmin()
                    ? Optional.of(choices.get(0))
                    : choices.stream().filter(t -> t.slug().equals(requested)).findFirst();
            if (chosen.isEmpty()) {
                List<String> options = new java.util.ArrayList<>(choices.stream().map(TenantChoice::slug).toList());
                if (login.platformAdmin()) {
                    options.add(PLATFORM_CHOICE);
                }
                throw new ProblemException(new Problem(422, "Tenant selection required",
                        requested == null ? "choose the tenant to sign in to" : "you are not a member of '" + requested + "'")
                        .with("tenants", options));
            }
            return new Grant(login.userId(), chosen.get(), identifier, identifierProven, Grant.PASSWORD);
        });
    }

    private enum RefreshOutcome { ROTATED, REJECTED, REUSED }

    private record Rotation(RefreshOutcome outcome, TokenResponse tokens) {
    }

    /**
     * Rotates a refresh token. A token presented a second time means it leaked: the whole family is revoked
     * (committed), and the request fails.
     */
    public Uni<TokenResponse> refresh(String presented) {
        String hash = Hashes.sha256Hex(presented);
        return tx.inScope(DbScope.anonymous(), c -> accounts.refreshTokenScope(c, hash)).chain(scope -> {
            if (scope.isEmpty()) {
                throw ProblemException.unauthorized("the refresh token is not valid");
            }
            UUID tenantId = scope.get()[0];
            UUID userId = scope.get()[1];
            return tx.inScope(new DbScope(tenantId, userId, "staff"), c -> accounts.lockRefreshToken(c, hash).chain(token -> {
                if (token.isEmpty()) {
                    // Hidden by row-level security: the user, membership or tenant is no longer active. End it anyway,
                    // under the user's own scope, where their sessions in every tenant are theirs to end.
                    return tx.rescope(c, DbScope.user(userId)).chain(() -> accounts.revokeFamilyOf(c, hash))
                            .replaceWith(new Rotation(RefreshOutcome.REJECTED, null));
                }
                AccountRepository.RefreshToken t = token.get();
                if (t.usedAt() != null || t.revokedAt() != null) {
                    return accounts.revokeFamily(c, t.familyId()).replaceWith(new Rotation(RefreshOutcome.REUSED, null));
                }
                if (t.expiresAt().isBefore(OffsetDateTime.now())) {
                    return Uni.createFrom().item(new Rotation(RefreshOutcome.REJECTED, null));
                }
                return accounts.activeMembership(c, tenantId, userId).chain(membership -> {
                    if (membership.isEmpty()) {
                        return Uni.createFrom().item(new Rotation(RefreshOutcome.REJECTED, null));
                    }
                    String next = Hashes.randomToken(32);
                    return accounts.markUsed(c, t.id())
                            .chain(() -> accounts.insertRefreshToken(c, tenantId, userId, t.familyId(), Hashes.sha256Hex(next),
                                    sessions.refreshExpiry(), t.amr()))
                            .map(ignored -> new Rotation(RefreshOutcome.ROTATED,
                                    sessions.tokens(membership.get(), userId, t.familyId(), next, t.amr())));
                });
            }));
        }).map(rotation -> {
            if (rotation.outcome() != RefreshOutcome.ROTATED) {
                throw ProblemException.unauthorized("the refresh token is not valid");
            }
            return rotation.tokens();
        });
    }

    /**
     * Revokes the presented token's family, whatever the state of the user, membership or tenant. Unknown
     * tokens are ignored: logout always succeeds.
     */
    public Uni<Void> logout(String presented) {
        String hash = Hashes.sha256Hex(presented);
        // The token's hash names its user; the family is ended under that user's own scope (no tenant: in every tenant).
        return tx.inScope(DbScope.anonymous(), c -> accounts.refreshTokenScope(c, hash).chain(scope -> scope.isEmpty()
                ? Uni.createFrom().voidItem()
                : tx.rescope(c, DbScope.user(scope.get()[1])).chain(() -> accounts.revokeFamilyOf(c, hash))));
    }

    public record Joined(UUID tenantId, UUID userId) {
    }

    /**
     * The invitee joins. An existing account proves itself with its password; a new one is created with the
     * given password. Only the invited email can join, once.
     */
    public Uni<Joined> acceptInvitation(AccountRequests.AcceptInvitation request, String clientIp) {
        String hash = Hashes.sha256Hex(request.token());
        return tx.inScope(DbScope.anonymous(), c -> accounts.pendingInvitation(c, hash).map(pending -> pending.map(AccountRepository.PendingInvitation::email))
                .chain(email -> email.isEmpty() ? Uni.createFrom().item(Map.<String, Optional<AccountRepository.Login>>of())
                        : accounts.findLogin(c, email.get()).map(login -> Map.of(email.get(), login))))
                .chain(found -> {
                    if (found.isEmpty()) {
                        throw ProblemException.notFound("the invitation (it may have expired, been revoked or used)");
                    }
                    var entry = found.entrySet().iterator().next();
                    return entry.getValue().isPresent() ? joinExisting(hash, entry.getKey(), request.password(), clientIp)
                            : joinNew(hash, entry.getKey(), request);
                });
    }

    /**
     * An existing account proves itself with its password, under the same lockout as a login. An account an
     * invitation created joins no second tenant before it proved its email: it is sent a link instead.
     */
    private Uni<Joined> joinExisting(String invitationHash, String email, String password, String clientIp) {
        String identifier = throttle.identifier(email);
        return tx.inScope(DbScope.anonymous(), c -> throttle.admit(c, identifier, clientIp)
                        .chain(attempt -> accounts.findLogin(c, email).map(account -> new Pending(attempt, account, false))))
                .chain(pending -> verify(pending, password))
                .call(login -> emailProofs.proven(login.userId()).chain(proven -> proven ? Uni.createFrom().voidItem()
                        : emailProofs.send(login.userId(), email).map(ignored -> {
                            throw ProblemException.forbidden("confirm this account's email first: a link to confirm it is on its way to the"
                                    + " mailbox; then accept the invitation again");
                        })))
                .chain(login -> tx.inScope(DbScope.user(login.userId()), c -> accept(c, invitationHash, login.userId())
                        .call(() -> throttle.cleared(c, identifier))));
    }

    private Uni<Joined> joinNew(String invitationHash, String email, AccountRequests.AcceptInvitation request) {
        if (request.displayName() == null || request.displayName().isBlank()) {
            throw ProblemException.unprocessable("displayName is required to create the invited account");
        }
        UUID userId = UUID.randomUUID();
        return newPasswords.prepare(request.password()).chain(password -> tx.inScope(DbScope.user(userId),
                c -> accounts.insertUser(c, userId, email, request.displayName(), password.loginHash())
                        .chain(() -> newPasswords.remember(c, userId, password))
                        .chain(() -> accept(c, invitationHash, userId))))
                .call(joined -> emailProofs.send(userId, email));
    }

    /**
     * Joins the invitation's tenant as the scope's user ({@code userId}: DbScope.user of the same transaction): the
     * token's hash names the tenant, the invitation is accepted and the membership written under the invitee's scope
     * (row-level security: only an invitation made out to the user's own email, only on its terms), then, a member now,
     * it is announced as any member change is, and the transaction goes back to the user's scope.
     */
    private Uni<Joined> accept(SqlConnection c, String invitationHash, UUID userId) {
        Supplier<ProblemException> gone = () -> ProblemException.notFound("the invitation (it may have expired, been revoked or used)");
        return accounts.pendingInvitation(c, invitationHash).chain(pending -> {
            AccountRepository.PendingInvitation invitation = pending.orElseThrow(gone);
            UUID tenantId = invitation.tenantId();
            return tx.rescope(c, DbScope.invitee(tenantId, userId, invitationHash))
                    .chain(() -> accounts.acceptInvitation(c, invitation.id(), userId))
                    .chain(accepted -> {
                        AccountRepository.Terms terms = accepted.orElseThrow(gone);
                        return accounts.join(c, tenantId, userId, terms)
                                .chain(() -> tx.rescope(c, new DbScope(tenantId, userId, TenantContext.STAFF)))
                                .chain(() -> outbox.append(c, tenantId, TenancyContract.MEMBER_JOINED, userId.toString(),
                                        new TenancyContract.MemberJoined(invitation.id(), terms.role(), terms.permissions())))
                                .chain(() -> tx.rescope(c, DbScope.user(userId)))
                                .replaceWith(new Joined(tenantId, userId));
                    });
        });
    }

}
