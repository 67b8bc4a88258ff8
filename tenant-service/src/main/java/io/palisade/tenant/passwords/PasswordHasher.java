package io.palisade.tenant.passwords;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * bcrypt, off the event loop. bcrypt reads only 72 bytes, so the password is first reduced to its SHA-256
 * (base64, 44 characters): every character of a 128-character passphrase counts. A login for an unknown
 * email still spends one bcrypt verification, so the answer takes as long as for a wrong password.
 */
@ApplicationScoped
public class PasswordHasher {

    static final int PRODUCTION_MIN_COST = 12;

    private final PasswordSettings settings;
    private final Vertx vertx;

    private final Counter verifications;

    private volatile String decoy;

    PasswordHasher(PasswordSettings settings, Vertx vertx, MeterRegistry registry) {
        this.settings = settings;
        this.vertx = vertx;
        // bcrypt is the sign-in path's cost: operators size tenant-service by this rate.
        verifications = Counter.builder("palisade.passwords.verifications")
                .description("bcrypt verifications, decoys for unknown or locked accounts included").register(registry);
    }

    void checkStrength(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 1) StartupEvent event) {
        requireProductionStrength(LaunchMode.current(), settings.bcryptCost());
    }

    static void requireProductionStrength(LaunchMode mode, int cost) {
        if (mode == LaunchMode.NORMAL && cost < PRODUCTION_MIN_COST) {
            throw new IllegalStateException("palisade.passwords.bcrypt-cost must be at least " + PRODUCTION_MIN_COST
                    + " outside tests, is " + cost);
        }
    }

    public Uni<String> hash(String password) {
        return blocking(vertx, () -> BcryptUtil.bcryptHash(prehash(password), settings.bcryptCost()));
    }

    public Uni<Boolean> matches(String password, String hash) {
        return blocking(vertx, () -> {
            verifications.increment();
            return BcryptUtil.matches(prehash(password), hash);
        });
    }

    /** Spends the same time as {@link #matches} and always fails. */
    public Uni<Boolean> matchesNothing(String password) {
        return blocking(vertx, () -> {
            if (decoy == null) {
                decoy = BcryptUtil.bcryptHash(UUID.randomUUID().toString(), settings.bcryptCost());
            }
            verifications.increment();
            BcryptUtil.matches(prehash(password), decoy);
            return false;
        });
    }

    /** How many verifications ran (real and decoy): every sign-in path spends exactly one. */
    public long verifications() {
        return (long) verifications.count();
    }

    private static String prehash(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> Uni<T> blocking(Vertx vertx, Callable<T> work) {
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(work, false).toCompletionStage());
    }
}
