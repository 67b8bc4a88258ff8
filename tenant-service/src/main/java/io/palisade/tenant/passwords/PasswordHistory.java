package io.palisade.tenant.passwords;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The hashes kept to refuse password reuse: PBKDF2-HMAC-SHA256 with a random salt per hash, stored as
 * {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}. Separate from the login hash (bcrypt), so an old
 * password's record never works as a login credential.
 */
@ApplicationScoped
public class PasswordHistory {

    /** How many previous passwords (the current one included) a new password must differ from. */
    public static final int DEPTH = 5;
    static final int PRODUCTION_MIN_ITERATIONS = 600_000;
    private static final String SCHEME = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PasswordSettings settings;
    private final Vertx vertx;

    PasswordHistory(PasswordSettings settings, Vertx vertx) {
        this.settings = settings;
        this.vertx = vertx;
    }

    void checkStrength(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 1) StartupEvent event) {
        requireProductionStrength(LaunchMode.current(), settings.historyIterations());
    }

    static void requireProductionStrength(LaunchMode mode, int iterations) {
        if (mode == LaunchMode.NORMAL && iterations < PRODUCTION_MIN_ITERATIONS) {
            throw new IllegalStateException("palisade.passwords.history-iterations must be at least "
                    + PRODUCTION_MIN_ITERATIONS + " outside tests, is " + iterations);
        }
    }

    public Uni<String> hash(String password) {
        return PasswordHasher.blocking(vertx, () -> {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            int iterations = settings.historyIterations();
            return SCHEME + "$" + iterations + "$" + b64(salt) + "$" + b64(derive(password, salt, iterations));
        });
    }

    /** Whether the password is one of the stored ones. */
    public Uni<Boolean> matchesAny(String password, List<String> stored) {
        return PasswordHasher.blocking(vertx, () -> stored.stream().anyMatch(record -> matches(password, record)));
    }

    static boolean matches(String password, String record) {
        String[] parts = record.split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            throw new IllegalStateException("unknown password history record format");
        }
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = derive(password, Base64.getDecoder().decode(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            spec.clearPassword();
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }
}
