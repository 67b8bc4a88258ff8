package io.palisade.payment.webhooks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;

/**
 * Stripe's webhook signature check, with stripe-java's own implementation: the {@code Stripe-Signature} header's
 * {@code v1} HMAC-SHA256 of {@code "<t>.<body>"} under an endpoint secret, and {@code t} within the tolerance.
 * Several secrets may be configured while one is rotated: a signature by any of them is accepted.
 */
@ApplicationScoped
public class WebhookSignature {

    private final List<String> secrets;
    private final long toleranceSeconds;

    public WebhookSignature(@ConfigProperty(name = "palisade.stripe.webhook-secrets") String secrets,
            @ConfigProperty(name = "palisade.stripe.webhook-tolerance") Duration tolerance) {
        this.secrets = Arrays.stream(secrets.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.toleranceSeconds = tolerance.toSeconds();
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
