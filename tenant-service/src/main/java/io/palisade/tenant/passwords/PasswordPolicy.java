package io.palisade.tenant.passwords;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.web.Problem;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * The password rules of every account: 12 to 128 characters, upper and lower case, a digit and a symbol
 * (any character that is neither letter nor digit, spaces included), and not known from a breach. A refusal
 * is a 422 naming each failed rule; the password itself is never echoed or logged.
 */
@ApplicationScoped
public class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 128;

    private final BreachedPasswords breached;
    private final PwnedPasswords pwned;

    PasswordPolicy(BreachedPasswords breached, PwnedPasswords pwned) {
        this.breached = breached;
        this.pwned = pwned;
    }

    public record Violation(String rule, String message) {
    }

    /** Completes when the password is acceptable, else fails with the 422. */
    public Uni<Void> check(String password) {
        List<Violation> violations = structure(password);
        if (!violations.isEmpty()) {
            return Uni.createFrom().failure(refusal(violations));
        }
        if (breached.contains(password)) {
            return Uni.createFrom().failure(refusal(List.of(breachedViolation())));
        }
        return pwned.isPwned(password).map(listed -> {
            if (listed) {
                throw refusal(List.of(breachedViolation()));
            }
            return null;
        });
    }

    static List<Violation> structure(String password) {
        List<Violation> violations = new ArrayList<>();
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            violations.add(new Violation("min-length", "must be at least " + MIN_LENGTH + " characters"));
        }
        if (length > MAX_LENGTH) {
            violations.add(new Violation("max-length", "must be at most " + MAX_LENGTH + " characters"));
        }
        if (password.codePoints().noneMatch(Character::isLowerCase)) {
            violations.add(new Violation("lowercase", "must contain a lower-case letter"));
        }
        if (password.codePoints().noneMatch(Character::isUpperCase)) {
            violations.add(new Violation("uppercase", "must contain an upper-case letter"));
        }
        if (password.codePoints().noneMatch(Character::isDigit)) {
            violations.add(new Violation("digit", "must contain a digit"));
        }
        if (password.codePoints().allMatch(Character::isLetterOrDigit)) {
            violations.add(new Violation("symbol", "must contain a symbol (a character that is neither letter nor digit)"));
        }
        return violations;
    }

    private static Violation breachedViolation() {
        return new Violation("breached", "appears in a list of passwords exposed in data breaches; choose another");
    }

    static ProblemException refusal(List<Violation> violations) {
        return new ProblemException(new Problem(422, "Password not accepted", "the password does not meet the password policy")
                .with("violations", violations.stream().map(v -> Map.of("rule", v.rule(), "message", v.message())).toList()));
    }
}
