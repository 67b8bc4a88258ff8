package io.palisade.common.security;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.SecretKey;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies each access token once, not on every request: a client sends the same token with each call for its
 * lifetime, and checking its RS256 signature was a third of a service's CPU on an authenticated read
 * (docs/performance.md). Only a token that passed the full verification is kept, under its exact text; a hit counts
 * until the token expires and at most {@link #REVERIFY_AFTER} after it was verified, so a signing key withdrawn from
 * the issuer's key set stops counting within that time, as the key set's own refresh does. What a token may do is
 * still read from the database on every request ({@link PermissionAugmentor}).
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokenCache implements JWTParser {

    /** How long a verified token counts without being verified again. */
    static final Duration REVERIFY_AFTER = Duration.ofSeconds(60);

    private final JWTParser verifier;
    private final Clock clock;
    private final int capacity;
    private final Map<String, Verified> verified;

    @Inject
    public VerifiedTokenCache(DefaultJWTParser verifier, @ConfigProperty(name = "palisade.auth.verified-tokens", defaultValue = "2048") int capacity) {
        this(verifier, Clock.systemUTC(), capacity);
    }

    VerifiedTokenCache(JWTParser verifier, Clock clock, int capacity) {
        this.verifier = verifier;
        this.clock = clock;
        this.capacity = capacity;
        // Least recently used first; the oldest goes when a new token would exceed the capacity.
        this.verified = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
                return size() > VerifiedTokenCache.this.capacity;
            }
        };
    }

    private record Verified(JsonWebToken token, Instant until) {
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        Instant now = clock.instant();
        synchronized (verified) {
            Verified hit = verified.get(token);
            if (hit != null) {
                if (now.isBefore(hit.until())) {
                    return hit.token();
                }
                verified.remove(token);
            }
        }
        JsonWebToken parsed = verifier.parse(token);
        Instant until = now.plus(REVERIFY_AFTER);
        Instant expires = Instant.ofEpochSecond(parsed.getExpirationTime());
        if (expires.isBefore(until)) {
            until = expires;
        }
        synchronized (verified) {
            verified.put(token, new Verified(parsed, until));
        }
        return parsed;
    }

    // The rest verifies as asked, every time: only the services' own access tokens, parsed with the configured keys,
    // are worth keeping.

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return verifier.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return verifier.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return verifier.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return verifier.parseOnly(token);
    }
}
