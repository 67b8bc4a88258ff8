package io.palisade.common.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class SecretBoxTest {

    private static final String KEY_1 = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String KEY_2 = Base64.getEncoder().encodeToString("another-32-byte-key-for-testing!".getBytes());

    @Test
    void roundTripsAndNeverRepeatsCiphertext() {
        SecretBox box = new SecretBox(KEY_1, 1, Optional.empty());
        String a = box.encrypt("guest@example.com", "t1:email");
        String b = box.encrypt("guest@example.com", "t1:email");
        assertNotEquals(a, b);
        assertTrue(a.startsWith("v1:"));
        assertEquals("guest@example.com", box.decrypt(a, "t1:email"));
    }

    @Test
    void refusesTamperingAndValuesMovedToAnotherPlace() {
        SecretBox box = new SecretBox(KEY_1, 1, Optional.empty());
        String sealed = box.encrypt("secret", "tenant-a");
        assertThrows(IllegalStateException.class, () -> box.decrypt(sealed, "tenant-b"));
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        raw[raw.length - 1] ^= 1;
        assertThrows(IllegalStateException.class, () -> box.decrypt("v1:" + Base64.getEncoder().encodeToString(raw), "tenant-a"));
    }

    @Test
    void rotatedKeysKeepOldValuesReadable() {
        String old = new SecretBox(KEY_1, 1, Optional.empty()).encrypt("secret", "x");
        SecretBox rotated = new SecretBox(KEY_2, 2, Optional.of(Map.of("1", KEY_1)));
        assertEquals("secret", rotated.decrypt(old, "x"));
        assertTrue(rotated.encrypt("secret", "x").startsWith("v2:"));
    }
}
