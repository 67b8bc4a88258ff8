package io.palisade.devstack.testing;

import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;

import javax.crypto.spec.SecretKeySpec;

import org.apache.commons.codec.binary.Base32;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;

/**
 * An authenticator app in tests: RFC 6238 codes computed by an independent implementation (java-otp) from the
 * secret Palisade showed at enrolment. Palisade accepts each time step once and only a later one than the last,
 * within one step of drift; so codes are handed out in increasing steps, and when the steps a server would
 * accept now are spent, this waits for the next one, as a person would.
 */
public final class TestAuthenticator {

    private static final Duration STEP = Duration.ofSeconds(30);

    private final SecretKeySpec key;
    private final TimeBasedOneTimePasswordGenerator totp = new TimeBasedOneTimePasswordGenerator(STEP, 6, "HmacSHA1");
    private long lastStep = Long.MIN_VALUE;

    public TestAuthenticator(String base32Secret) {
        this.key = new SecretKeySpec(new Base32().decode(base32Secret), "HmacSHA1");
    }

    /**
     * A code Palisade has not seen yet, from the steps it accepts now (the previous, the current, the next): the
     * previous only early in the current step, so that it is still accepted when the request arrives.
     */
    public synchronized String nextCode() {
        Instant at = Instant.now();
        long now = step(at);
        long earliest = at.getEpochSecond() % STEP.toSeconds() < STEP.toSeconds() - 10 ? now - 1 : now;
        long step = Math.max(lastStep + 1, earliest);
        if (step > now + 1) {
            sleepUntil(Instant.ofEpochSecond((now + 1) * STEP.toSeconds()).plusMillis(200));
            step = lastStep + 1;
        }
        lastStep = step;
        return codeAt(step);
    }

    /** The code handed out last, again (to show that a code works only once). */
    public synchronized String lastCode() {
        return codeAt(lastStep);
    }

    private String codeAt(long step) {
        try {
            return String.format("%06d", totp.generateOneTimePassword(key, Instant.ofEpochSecond(step * STEP.toSeconds())));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long step(Instant at) {
        return at.getEpochSecond() / STEP.toSeconds();
    }

    private static void sleepUntil(Instant at) {
        try {
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), at).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
