package io.palisade.webhook.endpoints;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.crypto.SecretBox;

/**
 * Endpoint signing secrets in the Standard Webhooks form ({@code whsec_} + base64 of 32 random bytes), sealed with
 * the master key and bound to their endpoint, so a sealed secret copied to another endpoint does not open.
 */
@ApplicationScoped
public class EndpointSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_OPENED = 4096;
    static final String PREFIX = "whsec_";

    private final Map<String, String> opened = new ConcurrentHashMap<>();

    private final SecretBox box;

    EndpointSecrets(SecretBox box) {
        this.box = box;
    }

    public String generate() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    public String seal(UUID endpointId, String secret) {
        return box.encrypt(secret, associatedData(endpointId));
    }

    /**
     * Every delivery attempt signs with its endpoint's secret: opened ones are kept by endpoint and sealed form (a
     * rotated secret is a new sealed form), so a busy endpoint's secret is not decrypted on every attempt. Bounded:
     * emptied when full.
     */
    public String open(UUID endpointId, String sealed) {
        if (opened.size() >= MAX_OPENED) {
            opened.clear();
        }
        // Keyed by endpoint too: a sealed secret copied to another endpoint's row still fails to open there.
        return opened.computeIfAbsent(endpointId + " " + sealed, key -> box.decrypt(sealed, associatedData(endpointId)));
    }

    /** The HMAC key a secret stands for. */
    public static byte[] key(String secret) {
        return Base64.getDecoder().decode(secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret);
    }

    private static String associatedData(UUID endpointId) {
        return "webhook-endpoint:" + endpointId;
    }
}
