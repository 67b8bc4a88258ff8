package io.palisade.tenant.accounts;

import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.events.TenancyContract;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.Permission;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.passwords.PasswordService;
import io.palisade.tenant.proof.GateTenants;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;

/**
 * Self-serve signup in two steps, so that its answer tells nobody whether an email has an account: the request is
 * answered the same way after the same work (a password hashed, one row written, one mail sent) whatever the email;
 * the mail carries the link that finishes the signup, or, to an email with an account, says so. Opening the link
 * creates the account (its email proven), the tenant and the owner membership at once.
 */
@ApplicationScoped
public class SignupService {

    private static final Logger LOG = Logger.getLogger(SignupService.class);

    private final TenantTransactions tx;
    private final AccountRepository accounts;
    private final SignupRepository pending;
    private final PasswordService newPasswords;
    private final MailSender mail;
    private final Outbox outbox;
    private final AuditLog audit;

    @ConfigProperty(name = "palisade.signup.link-ttl", defaultValue = "PT1H")
    Duration ttl;

    /** Signup mails one email may be sent per link lifetime: signing up is not a way to flood someone's mailbox. */
    @ConfigProperty(name = "palisade.signup.max-links", defaultValue = "3")
    int maxLinks;

    @ConfigProperty(name = "palisade.accounts.link-base")
    String linkBase;

    SignupService(TenantTransactions tx, AccountRepository accounts, SignupRepository pending, PasswordService newPasswords,
            MailSender mail, Outbox outbox, AuditLog audit) {
        this.tx = tx;
        this.accounts = accounts;
        this.pending = pending;
        this.newPasswords = newPasswords;
        this.mail = mail;
        this.outbox = outbox;
        this.audit = audit;
    }

    public record SignedUp(UUID tenantId, String tenantSlug, UUID userId) {
    }

    private record Requested(boolean sent, boolean accountExists, String token) {
    }

    /**
     * Keeps the request and mails its email. A slug in use is refused at once (slugs are public: the booking pages
     * show them); whether the email has an account is never told here.
     */
    public Uni<Void> request(AccountRequests.Signup request) {
        String email = request.email().toLowerCase(Locale.ROOT);
        String token = Hashes.randomToken(32);
        return newPasswords.prepare(request.password()).chain(password -> tx.inScope(DbScope.anonymous(),
                c -> pending.slugInUse(c, request.tenantSlug()).chain(inUse -> {
                    if (inUse || GateTenants.SLUGS.contains(request.tenantSlug())) {
                        throw ProblemException.conflict("the tenant slug '" + request.tenantSlug() + "' is taken");
                    }
                    return accounts.findLogin(c, email).chain(account -> pending.keepPending(c, Hashes.sha256Hex(token),
                            new SignupRepository.PendingSignup(email, request.tenantSlug(), request.tenantName(), request.displayName(), password),
                            ttl, maxLinks).map(sent -> new Requested(sent, account.isPresent(), token)));
                })))
                .chain(requested -> !requested.sent() ? Uni.createFrom().voidItem() : mail.send(requested.accountExists()
                        ? new OutgoingMail(email, "Your Palisade account",
                                "Someone, perhaps you, asked to sign up to Palisade with this email, but it has an account already."
                                        + " Sign in with it instead; no new account or tenant was created.\n\nIf it was not you,"
                                        + " ignore this message: nothing changed.")
                        : new OutgoingMail(email, "Finish signing up to Palisade",
                                "To create your account and the tenant '" + request.tenantSlug() + "', open this link within "
                                        + ttl.toMinutes() + " minutes:\n\n" + linkBase + "/finish-signup#token=" + requested.token()
                                        + "\n\nIf you did not sign up, ignore this message: nothing is created without it."))
                        // Kept either way: if the mail did not leave, the person signs up again.
                        .onFailure().recoverWithItem(e -> {
                            LOG.errorf("a signup mail could not be sent: %s", e.getClass().getSimpleName());
                            return null;
                        }));
    }

    /**
     * Spends the mailed link: the account (its email proven by the link), the tenant and its owner, all or nothing.
     * The link stays unspent when the slug or the email was taken in the meantime.
     */
    public Uni<SignedUp> complete(String token, String clientIp) {
        String tokenHash = Hashes.sha256Hex(token);
        UUID tenantId = UUID.randomUUID();
        UUID userId = UUID.randomUUID();
        return tx.inScope(new DbScope(tenantId, userId, "signup"), c -> pending.lockPending(c, tokenHash).chain(found -> {
                    SignupRepository.PendingSignup signup = found.orElseThrow(
                            () -> ProblemException.notFound("the signup link (it may have expired or been used)"));
                    return accounts.emailTaken(c, signup.email()).chain(taken -> {
                        if (taken) {
                            throw emailTaken();
                        }
                        return create(c, tenantId, userId, signup, clientIp)
                                .chain(() -> pending.spendPending(c, tokenHash))
                                .replaceWith(new SignedUp(tenantId, signup.tenantSlug(), userId));
                    });
                }))
                .onFailure(SignupService::isUniqueViolation).transform(e -> "users_email_key".equals(((PgException) e).getConstraint())
                        ? emailTaken()
                        : ProblemException.conflict("the tenant slug is taken: sign up again with another"));
    }

    private Uni<Void> create(SqlConnection c, UUID tenantId, UUID userId, SignupRepository.PendingSignup pending, String clientIp) {
        return accounts.insertProvenUser(c, userId, pending.email(), pending.displayName(), pending.password().loginHash())
                .chain(() -> newPasswords.remember(c, userId, pending.password()))
                .chain(() -> accounts.insertTenant(c, tenantId, pending.tenantSlug(), pending.tenantName(), userId))
                .chain(() -> accounts.insertOwnerMembership(c, tenantId, userId, Permission.ALL))
                .chain(() -> outbox.append(c, tenantId, TenancyContract.TENANT_CREATED, tenantId.toString(),
                        new TenancyContract.TenantCreated(pending.tenantSlug(), userId)))
                .chain(() -> audit.record(c, new AuditEvent(tenantId, "tenant.created", new AuditEvent.Actor(userId, Roles.OWNER, null,
                        clientIp), "tenant", tenantId.toString(), AuditEvent.SUCCESS, null,
                        new JsonObject().put("slug", pending.tenantSlug()).put("name", pending.tenantName()), null)));
    }

    /** Forgets signup requests and email proofs a day after their links expired. */
    @Scheduled(every = "1h", delayed = "7m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return tx.inBackground(DbScope.anonymous(), pending::purgeExpired);
    }

    private static ProblemException emailTaken() {
        return ProblemException.conflict("an account with this email exists already: sign in with it");
    }

    private static boolean isUniqueViolation(Throwable e) {
        return e instanceof PgException pg && "23505".equals(pg.getSqlState());
    }
}
