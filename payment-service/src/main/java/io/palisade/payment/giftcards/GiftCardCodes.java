package io.palisade.payment.giftcards;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.crypto.Pseudonyms;

/**
 * Gift card codes: 16 characters of Crockford's base32 (80 random bits), shown as {@code XXXX-XXXX-XXXX-XXXX},
 * kept only as an HMAC under the lookup key and the tenant, so a database copy reveals no code and a code of
 * one tenant means nothing at another.
 */
@ApplicationScoped
public class GiftCardCodes {

    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pseudonyms mac;

    GiftCardCodes(Pseudonyms mac) {
        this.mac = mac;
    }

    public String newCode() {
        StringBuilder code = new StringBuilder(19);
        for (int i = 0; i < 16; i++) {
            if (i > 0 && i % 4 == 0) {
                code.append('-');
            }
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** What people type: any case, spaces or dashes, O for 0 and I or L for 1 (Crockford's reading rules). */
    public static String normalize(String typed) {
        return typed.toUpperCase(Locale.ROOT).replaceAll("[\\s-]", "").replace('O', '0').replace('I', '1').replace('L', '1');
    }

    public String hash(UUID tenantId, String code) {
        return mac.of("gift-card:" + tenantId, normalize(code));
    }

    public static String hint(String code) {
        String normalized = normalize(code);
        return normalized.substring(normalized.length() - 4);
    }
}
