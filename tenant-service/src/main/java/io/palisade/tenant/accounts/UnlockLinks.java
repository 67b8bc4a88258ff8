package io.palisade.tenant.accounts;

import java.time.Duration;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.Hashes;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.tenant.lockout.LoginThrottle;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

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
    private final MailSender mail;
    private final AuditLog audit;

    @ConfigProperty(name = "palisade.lockout.unlock-link-ttl", defaultValue = "PT15M")
    Duration ttl;

    /** Links one identifier may be sent per lifetime of a link: a lock is not a way to flood someone's mailbox. */
    @ConfigProperty(name = "palisade.lockout.max-unlock-links", defaultValue = "3")
    int maxLinks;

    UnlockLinks(TenantTransactions tx, LoginThrottle throttle, AccountRepository accounts, MailSender mail, AuditLog audit) {
        this.tx = tx;
        this.throttle = throttle;
        this.accounts = accounts;
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
                        : issue(c, identifier, Hashes.sha256Hex(code)).call(issued -> audit.record(c, new AuditEvent(null, "auth.unlock_link_requested",
                                AuditEvent.Actor.anonymous(clientIp), "user", account.get().userId().toString(),
                                issued ? AuditEvent.SUCCESS : AuditEvent.FAILURE, null, null, new JsonObject().put("sent", issued)))))))
                .chain(issued -> !issued ? Uni.createFrom().voidItem()
                        : mail.send(new OutgoingMail(address, "Your account is locked",
                                "Several sign-ins with your email failed, so Palisade locked it for a while. If that was not you, someone"
                                        + " is guessing your password: consider changing it.\n\nTo sign in now, give this unlock code with your"
                                        + " password (unlockToken) within " + ttl.toMinutes() + " minutes:\n\n" + code
                                        + "\n\nIf you did not ask for it, ignore this message."))
                                // The link is stored either way; if the mail did not leave, the owner asks again.
                                .onFailure().recoverWithItem(e -> {
                                    LOG.errorf("an unlock link could not be sent: %s", e.getClass().getSimpleName());
                                    return null;
                                }));
    }

    /** Stores a link unless the identifier had its share of links lately; whether it did. */
    private Uni<Boolean> issue(SqlConnection c, String identifier, String codeHash) {
        return c.preparedQuery("insert into tenancy.login_unlocks (token_hash, identifier, expires_at, attempts_left)"
                + " select $1, $2, now() + make_interval(secs => $3), $4 where (select count(*) from tenancy.login_unlocks"
                + " where identifier = $2 and created_at > now() - make_interval(secs => $3)) < $5")
                .execute(Tuple.from(java.util.List.of(codeHash, identifier, (double) ttl.toSeconds(), ATTEMPTS, maxLinks)))
                .map(rows -> rows.rowCount() == 1);
    }
}
