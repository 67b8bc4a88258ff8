package io.palisade.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;

class VerifiedTokenCacheTest {

    private static final String ISSUER = "https://issuer.test";
    private static final KeyPair SIGNER = keyPair();
    private static final KeyPair OTHER = keyPair();

    private final Instant start = Instant.now();
    private Instant now = start;
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };

    /** The real verifier, counting how often it is asked. */
    private final AtomicInteger verifications = new AtomicInteger();
    private final DefaultJWTParser verifier = new DefaultJWTParser(context(SIGNER.getPublic())) {
        @Override
        public JsonWebToken parse(String token) throws ParseException {
            verifications.incrementAndGet();
            return super.parse(token);
        }
    };

    @Test
    void aTokenIsVerifiedOnceWhileItCounts() throws ParseException {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 16);
        String token = token(SIGNER, "alice", Duration.ofMinutes(15));
        assertEquals("alice", cache.parse(token).getSubject());
        now = start.plusSeconds(30);
        assertEquals("alice", cache.parse(token).getSubject());
        assertEquals(1, verifications.get());
    }

    @Test
    void aTokenThatFailsVerificationIsNeverKept() {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 16);
        String forged = token(OTHER, "mallory", Duration.ofMinutes(15));
        assertThrows(ParseException.class, () -> cache.parse(forged));
        assertThrows(ParseException.class, () -> cache.parse(forged));
        assertEquals(2, verifications.get());
    }

    @Test
    void aKeptTokenIsVerifiedAgainAfterAMinuteAndAtItsExpiry() throws ParseException {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 16);
        String longLived = token(SIGNER, "alice", Duration.ofMinutes(15));
        cache.parse(longLived);
        now = start.plus(VerifiedTokenCache.REVERIFY_AFTER).plusSeconds(1);
        cache.parse(longLived);
        assertEquals(2, verifications.get(), "a minute after it was verified, the key set is asked again");

        String shortLived = token(SIGNER, "bob", Duration.ofSeconds(20));
        now = start;
        cache.parse(shortLived);
        now = start.plusSeconds(21);
        // Past its expiry the cache does not answer: the verifier does, and refuses it (here the verifier's clock is
        // the real one, so it still accepts; what counts is that it was asked).
        cache.parse(shortLived);
        assertEquals(4, verifications.get());
    }

    @Test
    void onlyTheExactTokenHits() throws ParseException {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 16);
        String token = token(SIGNER, "alice", Duration.ofMinutes(15));
        cache.parse(token);
        String[] parts = token.split("\\.");
        // The same header and claims with another signature: not the kept token, verified (and refused) on its own.
        String resigned = parts[0] + "." + parts[1] + "." + token(OTHER, "alice", Duration.ofMinutes(15)).split("\\.")[2];
        assertThrows(ParseException.class, () -> cache.parse(resigned));
        assertEquals(2, verifications.get());
    }

    @Test
    void theLeastRecentlyUsedTokenGoesFirst() throws ParseException {
        VerifiedTokenCache cache = new VerifiedTokenCache(verifier, clock, 2);
        String a = token(SIGNER, "a", Duration.ofMinutes(15));
        String b = token(SIGNER, "b", Duration.ofMinutes(15));
        String c = token(SIGNER, "c", Duration.ofMinutes(15));
        cache.parse(a);
        cache.parse(b);
        cache.parse(a);
        cache.parse(c);
        assertEquals(3, verifications.get());
        cache.parse(a);
        assertEquals(3, verifications.get(), "a was used after b, so b made room for c");
        cache.parse(b);
        assertEquals(4, verifications.get());
    }

    private static String token(KeyPair signer, String subject, Duration lifetime) {
        long issued = Instant.now().getEpochSecond();
        return Jwt.issuer(ISSUER).subject(subject).audience("palisade").issuedAt(issued).expiresAt(issued + lifetime.toSeconds())
                .jws().keyId("k1").sign(signer.getPrivate());
    }

    private static JWTAuthContextInfo context(PublicKey key) {
        JWTAuthContextInfo context = new JWTAuthContextInfo(key, ISSUER);
        context.setExpectedAudience(java.util.Set.of("palisade"));
        return context;
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
