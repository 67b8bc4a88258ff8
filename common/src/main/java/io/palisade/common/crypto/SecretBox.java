package io.palisade.common.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
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

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
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
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentVersion), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return "v" + currentVersion + ":" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length)
                    .put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String decrypt(String stored, String associatedData) {
        int colon = stored.indexOf(':');
        if (!stored.startsWith("v") || colon < 2) {
            throw new IllegalArgumentException("not a sealed value");
        }
        SecretKeySpec key = keys.get(Integer.parseInt(stored.substring(1, colon)));
        if (key == null) {
            throw new IllegalStateException("no key configured for " + stored.substring(0, colon));
        }
        byte[] bytes = Base64.getDecoder().decode(stored.substring(colon + 1));
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed: wrong key or tampered value", e);
        }
    }

    private static SecretKeySpec key(String base64) {
        byte[] raw = Base64.getDecoder().decode(base64.trim());
        if (raw.length != 32) {
            throw new IllegalArgumentException("an AES-256 key is 32 bytes (base64); got " + raw.length);
        }
        return new SecretKeySpec(raw, "AES");
    }
}
