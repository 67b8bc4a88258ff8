package io.palisade.payment.webhooks;

import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;


import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;

import io.palisade.payment.stripe.StripeSettings;

/**
 * Stripe's webhook signature check, with stripe-java's own implementation: the {@code Stripe-Signature} header's
 * {@code v1} HMAC-SHA256 of {@code "<t>.<body>"} under an endpoint secret, and {@code t} within the tolerance.
 * Several secrets may be configured while one is rotated: a signature by any of them is accepted.
 */
@ApplicationScoped
public class WebhookSignature {

    private final List<String> secrets;
    private final long toleranceSeconds;

    WebhookSignature(StripeSettings settings) {
        this.secrets = Arrays.stream(settings.webhookSecrets().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.toleranceSeconds = settings.webhookTolerance().toSeconds();
        if (this.secrets.isEmpty()) {
            throw new IllegalStateException("palisade.stripe.webhook-secrets is empty: no webhook could ever be accepted");
        }
    }

    /** Whether the body was signed by Stripe with one of our endpoint secrets, recently enough. */
    public boolean verifies(String body, String header) {
        if (body == null || header == null || header.isBlank()) {
            return false;
        }
        for (String secret : secrets) {
            try {
                if (Webhook.Signature.verifyHeader(body, header, secret, toleranceSeconds)) {
                    return true;
                }
            } catch (SignatureVerificationException notThisSecret) {
                // Try the next secret; a stale timestamp fails under every secret alike.
            }
        }
        return false;
    }
}
