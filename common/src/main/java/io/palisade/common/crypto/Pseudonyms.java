package io.palisade.common.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keyed, tenant-salted lookups of personal data that is otherwise stored only encrypted: HMAC-SHA256 under
 * {@code palisade.crypto.lookup-key} of purpose, tenant and value. The same email gives a different value in
 * every tenant, so one person is never linkable across tenants, and without the key a lookup value cannot be
 * tested against guesses. The key is separate from the master key because lookups must survive its rotation.
 */
@ApplicationScoped
public class Pseudonyms {

    private final SecretKeySpec key;

    @Inject
    public Pseudonyms(@ConfigProperty(name = "palisade.crypto.lookup-key") String lookupKey) {
        byte[] raw = Base64.getDecoder().decode(lookupKey);
        if (raw.length < 32) {
            throw new IllegalArgumentException("palisade.crypto.lookup-key must be at least 32 bytes, base64");
        }
        this.key = new SecretKeySpec(raw, "HmacSHA256");
    }

    /** The lookup value of an email address in one tenant (case-insensitive). */
    public String email(String purpose, UUID tenantId, String email) {
        return of(purpose, tenantId + "\u0000" + email.trim().toLowerCase(Locale.ROOT));
    }

    /** The lookup value of a platform-wide identifier, such as a login email (normalised by the caller). */
    public String of(String purpose, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal((purpose + "\u0000" + value).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
