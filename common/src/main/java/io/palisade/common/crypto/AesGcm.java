package io.palisade.common.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit IV and associated data, as {@code base64(iv | ciphertext | tag)}. A wrong
 * key, a changed byte or other associated data fail loudly, never as garbage plaintext.
 */
public final class AesGcm {

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcm() {
    }

    public static SecretKeySpec key(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("an AES-256 key is 32 bytes; got " + raw.length);
        }
        return new SecretKeySpec(raw, "AES");
    }

    public static byte[] newKey() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return raw;
    }

    public static String encrypt(SecretKeySpec key, String plaintext, String associatedData) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public static String decrypt(SecretKeySpec key, String sealed, String associatedData) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            throw new TamperedException("the sealed value is not base64", e);
        }
        if (bytes.length < IV_BYTES + TAG_BITS / 8) {
            throw new TamperedException("the sealed value is too short", null);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new TamperedException("decryption failed: wrong key or tampered value", e);
        }
    }

    /** A sealed value that does not open: tampered, moved to another row, or sealed under another key. */
    public static class TamperedException extends IllegalStateException {
        public TamperedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
