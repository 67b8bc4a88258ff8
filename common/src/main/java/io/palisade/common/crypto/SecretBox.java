package io.palisade.common.crypto;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * AES-256-GCM for secrets and PII at rest. The stored form is {@code v<version>:<base64(iv|ciphertext|tag)>};
 * new values use the current key version, older versions stay readable while their keys are configured, so
 * keys rotate without a flag day. The associated data binds a value to its place (for example a tenant and
 * column): a ciphertext copied to another row does not decrypt.
 */
@ApplicationScoped
public class SecretBox {

    private final Map<Integer, SecretKeySpec> keys = new TreeMap<>();
    private final int currentVersion;

    @Inject
    public SecretBox(@ConfigProperty(name = "palisade.crypto.master-key") String currentKey,
            @ConfigProperty(name = "palisade.crypto.key-version", defaultValue = "1") int currentVersion,
            @ConfigProperty(name = "palisade.crypto.previous-keys") Optional<Map<String, String>> previousKeys) {
        this.currentVersion = currentVersion;
        keys.put(currentVersion, key(currentKey));
        previousKeys.ifPresent(m -> m.forEach((version, value) -> keys.putIfAbsent(Integer.parseInt(version), key(value))));
    }

    public String encrypt(String plaintext, String associatedData) {
        return "v" + currentVersion + ":" + AesGcm.encrypt(keys.get(currentVersion), plaintext, associatedData);
    }

    public String decrypt(String stored, String associatedData) {
        int colon = stored.indexOf(':');
        if (!stored.startsWith("v") || colon < 2) {
            throw new AesGcm.TamperedException("not a sealed value", null);
        }
        SecretKeySpec key = keys.get(Integer.parseInt(stored.substring(1, colon)));
        if (key == null) {
            throw new IllegalStateException("no key configured for " + stored.substring(0, colon));
        }
        return AesGcm.decrypt(key, stored.substring(colon + 1), associatedData);
    }

    /** Whether a stored value was sealed under an older key version (and should be sealed again). */
    public boolean isStale(String stored) {
        return !stored.startsWith("v" + currentVersion + ":");
    }

    private static SecretKeySpec key(String base64) {
        return AesGcm.key(Base64.getDecoder().decode(base64.trim()));
    }
}
