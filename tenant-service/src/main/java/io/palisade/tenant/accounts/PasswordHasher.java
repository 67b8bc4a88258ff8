package io.palisade.tenant.accounts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * bcrypt, off the event loop. A login for an unknown email still spends one bcrypt verification, so the
 * answer takes as long as for a known email with a wrong password.
 */
@ApplicationScoped
public class PasswordHasher {

    @ConfigProperty(name = "palisade.passwords.bcrypt-cost", defaultValue = "12")
    int cost;

    @Inject
    Vertx vertx;

    private volatile String decoy;

    public Uni<String> hash(String password) {
        return blocking(() -> BcryptUtil.bcryptHash(password, cost));
    }

    public Uni<Boolean> matches(String password, String hash) {
        return blocking(() -> BcryptUtil.matches(password, hash));
    }

    /** Spends the same time as {@link #matches} and always fails. */
    public Uni<Boolean> matchesNothing(String password) {
        return blocking(() -> {
            if (decoy == null) {
                decoy = BcryptUtil.bcryptHash(java.util.UUID.randomUUID().toString(), cost);
            }
            BcryptUtil.matches(password, decoy);
            return false;
        });
    }

    private <T> Uni<T> blocking(java.util.concurrent.Callable<T> work) {
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(work, false).toCompletionStage());
    }
}
