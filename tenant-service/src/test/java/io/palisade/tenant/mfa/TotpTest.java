package io.palisade.tenant.mfa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The TOTP implementation against RFC 6238's own test vectors (SHA-1; the 6-digit codes are the last 6). */
class TotpTest {

    private static final String RFC_SECRET = Totp.base32("12345678901234567890".getBytes(StandardCharsets.US_ASCII));

    @Test
    void rfc6238Vectors() {
        Map<Long, String> vectors = Map.of(59L, "287082", 1111111109L, "081804", 1111111111L, "050471",
                1234567890L, "005924", 2000000000L, "279037", 20000000000L, "353130");
        vectors.forEach((time, code) -> assertEquals(code, Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(time))), "T=" + time));
    }

    @Test
    void oneStepEitherSideIsAcceptedAndNoMore() {
        Instant now = Instant.ofEpochSecond(1_800_000_015L);
        long step = Totp.step(now);
        assertEquals(step - 1, Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 1), now).getAsLong());
        assertEquals(step, Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step), now).getAsLong());
        assertEquals(step + 1, Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 1), now).getAsLong());
        assertTrue(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 2), now).isEmpty());
        assertTrue(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 2), now).isEmpty());
        assertTrue(Totp.matchingStep(RFC_SECRET, "12345", now).isEmpty());
        assertTrue(Totp.matchingStep(RFC_SECRET, "abcdef", now).isEmpty());
    }

    @Test
    void base32RoundTripsAndSecretsAre160Bits() {
        String secret = Totp.newSecret();
        assertEquals(32, secret.length());
        assertEquals(20, Totp.unbase32(secret).length);
        assertEquals(secret, Totp.base32(Totp.unbase32(secret)));
    }

    @Test
    void provisioningUriFollowsTheKeyUriFormat() {
        assertEquals("otpauth://totp/Palisade:ann%40example.com?secret=ABC&issuer=Palisade&algorithm=SHA1&digits=6&period=30",
                Totp.provisioningUri("Palisade", "ann@example.com", "ABC"));
    }
}
