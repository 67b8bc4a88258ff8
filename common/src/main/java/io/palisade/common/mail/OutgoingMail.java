package io.palisade.common.mail;

import java.util.Objects;

/** A plain-text message to one recipient. The body may carry a one-time link: it is never logged. */
public record OutgoingMail(String to, String subject, String text) {

    /** An amount as a mail writes it: 90.00 EUR (minor units of a two-decimal currency). */
    public static String money(long amountMinor, String currency) {
        return String.format("%d.%02d %s", amountMinor / 100, amountMinor % 100, currency);
    }

    public OutgoingMail {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
    }
}
