package io.palisade.common.mail;

import java.util.Objects;

/** A plain-text message to one recipient. The body may carry a one-time link: it is never logged. */
public record OutgoingMail(String to, String subject, String text) {

    public OutgoingMail {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
    }
}
