package io.palisade.booking.guests;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.crypto.Pseudonyms;
import io.palisade.common.crypto.SecretBox;

/**
 * A guest's personal data as stored: email, phone, dietary needs and allergies sealed (AES-256-GCM, bound to
 * tenant, guest and field), the email also as a tenant-salted keyed hash so a returning guest is found without
 * decrypting anything. The same purpose as tenant-service's guest sign-in, so both name a guest alike.
 */
@ApplicationScoped
public class GuestData {

    static final String EMAIL_PURPOSE = "guest-email";

    private final SecretBox secretBox;
    private final Pseudonyms pseudonyms;

    GuestData(SecretBox secretBox, Pseudonyms pseudonyms) {
        this.secretBox = secretBox;
        this.pseudonyms = pseudonyms;
    }

    public record Details(String name, String email, String phone, String dietaryNeeds, String allergies) {
    }

    public record Sealed(String name, String emailLookup, String email, String phone, String dietaryNeeds, String allergies) {
    }

    /** The value a guest is found by in one tenant: the same email, the same value; another tenant, another value. */
    public String lookup(UUID tenantId, String email) {
        return pseudonyms.email(EMAIL_PURPOSE, tenantId, email);
    }

    public Sealed seal(UUID tenantId, Details details) {
        String lookup = lookup(tenantId, details.email());
        return new Sealed(details.name(), lookup, seal(tenantId, lookup, "email", details.email().trim()),
                seal(tenantId, lookup, "phone", details.phone()), seal(tenantId, lookup, "dietary", details.dietaryNeeds()),
                seal(tenantId, lookup, "allergies", details.allergies()));
    }

    public String open(UUID tenantId, String lookup, String field, String sealed) {
        return sealed == null ? null : secretBox.decrypt(sealed, associatedData(tenantId, lookup, field));
    }

    private String seal(UUID tenantId, String lookup, String field, String value) {
        return value == null || value.isBlank() ? null : secretBox.encrypt(value, associatedData(tenantId, lookup, field));
    }

    private static String associatedData(UUID tenantId, String lookup, String field) {
        return "booking.guests:" + tenantId + ":" + lookup + ":" + field;
    }
}
