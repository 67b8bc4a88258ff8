package io.palisade.tenant.accounts;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.tenant.lockout.LockoutRepository;
import io.palisade.tenant.lockout.LockoutSettings;
import io.palisade.tenant.lockout.LoginThrottle;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Anyone who knows an email can lock its identifier (five wrong passwords), the platform admin's included. The owner
 * of the mailbox gets past that lock with an unlock link: asked for with the email alone, sent only when the
 * identifier is locked and an active account has the email, and answered the same way whatever the case. Its code,
 * given with the password at sign-in, passes the identifier's lock (never the client address's) for a few attempts
 * within its lifetime; the sign-in that succeeds with it lifts the lock.
 */
@ApplicationScoped
public class UnlockLinks {

    private static final Logger LOG = Logger.getLogger(UnlockLinks.class);

    /** Attempts one link may let past the lock: enough for typos, too few for guessing. */
    static final int ATTEMPTS = 5;

    private final TenantTransactions tx;
    private final LoginThrottle throttle;
    private final AccountRepository accounts;
    private final LockoutRepository lockout;
    private final LockoutSettings settings;
    private final MailSender mail;
    private final AuditLog audit;

    UnlockLinks(TenantTransactions tx, LoginThrottle throttle, AccountRepository accounts, LockoutRepository lockout, LockoutSettings settings,
            MailSender mail, AuditLog audit) {
        this.tx = tx;
        this.throttle = throttle;
        this.accounts = accounts;
        this.lockout = lockout;
        this.settings = settings;
        this.mail = mail;
        this.audit = audit;
    }

    public Uni<Void> request(String email, String clientIp) {
        String address = email.trim().toLowerCase(Locale.ROOT);
        String identifier = throttle.identifier(address);
        String code = Hashes.randomToken(32);
        return tx.inScope(DbScope.anonymous(), c -> throttle.isLocked(c, identifier).chain(locked -> !locked ? Uni.createFrom().item(false)
                : accounts.findLogin(c, address).chain(account -> account.isEmpty() || !"active".equals(account.get().status())
                        ? Uni.createFrom().item(false)
                        : lockout.issueUnlock(c, identifier, Hashes.sha256Hex(code), settings.unlockLinkTtl(), ATTEMPTS, settings.maxUnlockLinks()).call(issued -> audit.record(c, new AuditEvent(null, "auth.unlock_link_requested",
                                AuditEvent.Actor.anonymous(clientIp), "user", account.get().userId().toString(),
                                issued ? AuditEvent.SUCCESS : AuditEvent.FAILURE, null, null, new JsonObject().put("sent", issued)))))))
                .chain(issued -> !issued ? Uni.createFrom().voidItem()
                        : mail.send(new OutgoingMail(address, "Your account is locked",
                                "Several sign-ins with your email failed, so Palisade locked it for a while. If that was not you, someone"
                                        + " is guessing your password: consider changing it.\n\nTo sign in now, give this unlock code with your"
                                        + " password (unlockToken) within " + settings.unlockLinkTtl().toMinutes() + " minutes:\n\n" + code
                                        + "\n\nIf you did not ask for it, ignore this message."))
                                // The link is stored either way; if the mail did not leave, the owner asks again.
                                .onFailure().recoverWithItem(e -> {
                                    LOG.errorf("an unlock link could not be sent: %s", e.getClass().getSimpleName());
                                    return null;
                                }));
    }
}
