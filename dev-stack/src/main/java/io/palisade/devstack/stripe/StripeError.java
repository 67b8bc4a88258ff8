package io.palisade.devstack.stripe;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error as Stripe answers it: an HTTP status and {@code {"error": {type, code, message, param}}}. */
final class StripeError extends RuntimeException {

    final int status;
    final Object body;

    private StripeError(int status, String type, String code, String message, String param) {
        super(message, null, false, false);
        this.status = status;
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", type);
        if (code != null) {
            error.put("code", code);
        }
        error.put("message", message);
        if (param != null) {
            error.put("param", param);
        }
        this.body = Map.of("error", error);
    }

    private StripeError(int status, Object body) {
        super(String.valueOf(body), null, false, false);
        this.status = status;
        this.body = body;
    }

    /** The first answer to an idempotent request, given again (its JSON as sent). */
    static StripeError replay(int status, String json) {
        return new StripeError(status, json);
    }

    static StripeError accountInvalid(String account) {
        return new StripeError(403, "invalid_request_error", "account_invalid", "The provided key does not have access to account '"
                + account + "' (or that account does not exist). Application access may have been revoked.", null);
    }

    static StripeError invalid(String message, String param) {
        return new StripeError(400, "invalid_request_error", "parameter_invalid", message, param);
    }

    static StripeError missingParam(String param) {
        return new StripeError(400, "invalid_request_error", "parameter_missing", "Missing required param: " + param + ".", param);
    }

    static StripeError missing(String kind, String id) {
        return new StripeError(404, "invalid_request_error", "resource_missing", "No such " + kind + ": '" + id + "'", "id");
    }

    static StripeError unexpectedState(String message) {
        return new StripeError(400, "invalid_request_error", "payment_intent_unexpected_state", message, null);
    }

    static StripeError unauthorized() {
        return new StripeError(401, "invalid_request_error", null, "Invalid API Key provided.", null);
    }

    static StripeError idempotencyMismatch(String key) {
        return new StripeError(400, "idempotency_error", null, "Keys for idempotent requests can only be used with the same parameters"
                + " they were first used with. Try using a key other than '" + key + "' if you meant to execute a different request.", null);
    }

    static StripeError cardDeclined() {
        return new StripeError(402, "card_error", "card_declined", "Your card was declined.", null);
    }

    /** Stripe's minimum charge, 0.50 in the major currencies. */
    static StripeError amountTooSmall() {
        return new StripeError(400, "invalid_request_error", "amount_too_small", "Amount must be at least 0.50", "amount");
    }

    static StripeError refundTooLarge() {
        return new StripeError(400, "invalid_request_error", "amount_too_large",
                "Refund amount is greater than unrefunded amount on charge.", "amount");
    }
}
