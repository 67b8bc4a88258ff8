package io.palisade.tenant.accounts;

import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.palisade.common.crypto.Hashes;
import io.palisade.common.mail.MailSender;
import io.palisade.common.mail.OutgoingMail;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * The proof that an account's holder reads its mailbox, for accounts an invitation created: the inviter was given
 * the accept token, so such an account proves nothing about its email until a link mailed to it is opened. Until
 * then it signs in only where it was invited and joins no other tenant.
 */
@ApplicationScoped
public class EmailProofs {

    private static final Logger LOG = Logger.getLogger(EmailProofs.class);

    private final TenantTransactions tx;
    private final AccountRepository accounts;
    private final SignupRepository links;
    private final MailSender mail;

    @ConfigProperty(name = "palisade.accounts.email-proof-ttl", defaultValue = "P2D")
    Duration ttl;

    /** Links one account may be sent per link lifetime. */
    @ConfigProperty(name = "palisade.accounts.max-email-proofs", defaultValue = "3")
    int maxLinks;

    @ConfigProperty(name = "palisade.accounts.link-base")
    String linkBase;

    EmailProofs(TenantTransactions tx, AccountRepository accounts, SignupRepository links, MailSender mail) {
        this.tx = tx;
        this.accounts = accounts;
        this.links = links;
        this.mail = mail;
    }

    /** Mails the account a link to prove its email, unless it had its share of them lately. */
    public Uni<Void> send(UUID userId, String email) {
        String token = Hashes.randomToken(32);
        return tx.inScope(DbScope.user(userId), c -> links.keepEmailProof(c, Hashes.sha256Hex(token), userId, ttl, maxLinks))
                .chain(stored -> !stored ? Uni.createFrom().voidItem() : mail.send(new OutgoingMail(email, "Confirm your email for Palisade",
                        "An account was created for this email when an invitation to Palisade was accepted. To confirm that the email is"
                                + " yours, open this link within " + ttl.toDays() + " days:\n\n" + linkBase + "/confirm-email#token=" + token
                                + "\n\nUntil then the account joins no other tenant. If you did not accept an invitation, ignore this message.")))
                .onFailure().recoverWithItem(e -> {
                    // The account works where it was invited; the holder asks for a new link by joining elsewhere.
                    LOG.errorf("an email proof could not be sent: %s", e.getClass().getSimpleName());
                    return null;
                });
    }

    /** Spends a link: the account it was sent to has proven its email. */
    public Uni<Void> prove(String token) {
        String tokenHash = Hashes.sha256Hex(token);
        return tx.inScope(DbScope.anonymous(), c -> links.spendEmailProof(c, tokenHash).chain(user -> {
                    if (user.isEmpty()) {
                        throw ProblemException.notFound("the email confirmation link (it may have expired or been used)");
                    }
                    return tx.rescope(c, DbScope.user(user.get())).chain(() -> links.markEmailProven(c, user.get()));
                }));
    }

    /** Whether the account proved its email. */
    public Uni<Boolean> proven(UUID userId) {
        return tx.inScope(DbScope.user(userId), c -> accounts.emailProven(c, userId));
    }
}
