package io.palisade.webhook.endpoints;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.palisade.common.crypto.SecretBox;

/**
 * Endpoint signing secrets in the Standard Webhooks form ({@code whsec_} + base64 of 32 random bytes), sealed with
 * the master key and bound to their endpoint, so a sealed secret copied to another endpoint does not open.
 */
@ApplicationScoped
public class EndpointSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    static final String PREFIX = "whsec_";

    @Inject
    SecretBox box;

    public String generate() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    public String seal(UUID endpointId, String secret) {
        return box.encrypt(secret, associatedData(endpointId));
    }

    public String open(UUID endpointId, String sealed) {
        return box.decrypt(sealed, associatedData(endpointId));
    }

    /** The HMAC key a secret stands for. */
    public static byte[] key(String secret) {
        return Base64.getDecoder().decode(secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret);
    }

    private static String associatedData(UUID endpointId) {
        return "webhook-endpoint:" + endpointId;
    }
}
