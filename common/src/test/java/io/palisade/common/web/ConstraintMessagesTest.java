package io.palisade.common.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.MessageInterpolator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.hibernate.validator.messageinterpolation.ResourceBundleMessageInterpolator;
import org.junit.jupiter.api.Test;

/** The constraints our requests use read the same without the expression language as with it. */
class ConstraintMessagesTest {

    record Request(@NotNull String id, @NotBlank String name, @NotEmpty List<String> tags, @Size(min = 2, max = 5) String code,
            @Min(1) int count, @Max(10) int limit, @Email String email, @Pattern(regexp = "^[A-Z]{3}$") String currency,
            @Pattern(regexp = "a|b", message = "must be a or b") String choice) {
    }

    @Test
    void everyConstraintWeUseReadsAsTheDefaultInterpolatorWritesIt() {
        Request bad = new Request(null, " ", List.of(), "x", 0, 11, "not an email", "eur", "c");
        Set<String> ours = messages(new ConstraintMessages(), bad);
        assertEquals(9, ours.size(), "one message per broken constraint: " + ours);
        assertEquals(messages(new ResourceBundleMessageInterpolator(), bad), ours);
        assertTrue(ours.contains("code: size must be between 2 and 5"), "parameters are filled in: " + ours);
    }

    private static Set<String> messages(MessageInterpolator interpolator, Request request) {
        try (ValidatorFactory factory = Validation.byDefaultProvider().configure().messageInterpolator(interpolator).buildValidatorFactory()) {
            Validator validator = factory.getValidator();
            Set<String> messages = new TreeSet<>();
            for (ConstraintViolation<Request> violation : validator.validate(request)) {
                messages.add(violation.getPropertyPath() + ": " + violation.getMessage());
            }
            return messages;
        }
    }
}
