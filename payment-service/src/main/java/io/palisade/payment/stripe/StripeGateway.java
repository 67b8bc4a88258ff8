package io.palisade.payment.stripe;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.ApplicationScoped;


import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Account;
import com.stripe.model.Charge;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Refund;
import com.stripe.net.RequestOptions;
import com.stripe.param.AccountCreateParams;
import com.stripe.param.AccountLinkCreateParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.RefundCreateParams;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Every call payment-service makes to Stripe, with stripe-java. Calls block, so they run on the worker pool,
 * never on an event loop. Objects of a connected account are reached with its {@code Stripe-Account} header;
 * creating calls carry an idempotency key, so a retried request never creates a second object.
 */
@ApplicationScoped
public class StripeGateway {

    /** What payment-service needs of a PaymentIntent. */
    public record Intent(String id, String clientSecret, String status, long amountReceived, String currency, boolean lastPaymentFailed) {
    }

    public record AccountState(String id, boolean chargesEnabled, boolean detailsSubmitted) {
    }

    public record RefundState(String id, String status, String paymentIntentId, UUID palisadeRefundId) {
    }

    public record ChargeState(String id, String paymentIntentId, long amountRefunded) {
    }

    private final StripeClient client;

    StripeGateway(StripeSettings settings) {
        client = StripeClient.builder().setApiKey(settings.secretKey()).setApiBase(settings.apiBase()).setConnectBase(settings.connectBase())
                .setConnectTimeout(5_000).setReadTimeout(15_000).setMaxNetworkRetries(2).build();
    }

    public Uni<AccountState> createAccount(UUID tenantId, String idempotencyKey) {
        return call(() -> state(client.v1().accounts().create(AccountCreateParams.builder().setType(AccountCreateParams.Type.STANDARD)
                .putMetadata("tenant_id", tenantId.toString()).build(), RequestOptions.builder().setIdempotencyKey(idempotencyKey).build())));
    }

    public Uni<AccountState> account(String accountId) {
        return call(() -> state(client.v1().accounts().retrieve(accountId)));
    }

    /** A single-use onboarding link for the operator (Stripe-hosted). */
    public Uni<String> onboardingLink(String accountId, String returnUrl, String refreshUrl) {
        return call(() -> client.v1().accountLinks().create(AccountLinkCreateParams.builder().setAccount(accountId).setReturnUrl(returnUrl)
                .setRefreshUrl(refreshUrl).setType(AccountLinkCreateParams.Type.ACCOUNT_ONBOARDING).build()).getUrl());
    }

    public Uni<Intent> createPaymentIntent(String accountId, long amountMinor, String currency, long applicationFeeMinor,
            Map<String, String> metadata, String idempotencyKey) {
        PaymentIntentCreateParams params = PaymentIntentCreateParams.builder().setAmount(amountMinor)
                .setCurrency(currency.toLowerCase(java.util.Locale.ROOT)).setApplicationFeeAmount(applicationFeeMinor).putAllMetadata(metadata)
                .setAutomaticPaymentMethods(PaymentIntentCreateParams.AutomaticPaymentMethods.builder().setEnabled(true).build()).build();
        return call(() -> intent(client.v1().paymentIntents().create(params, onAccount(accountId).setIdempotencyKey(idempotencyKey).build())));
    }

    public Uni<Intent> paymentIntent(String accountId, String intentId) {
        return call(() -> intent(client.v1().paymentIntents().retrieve(intentId, onAccount(accountId).build())));
    }

    public Uni<Intent> cancelPaymentIntent(String accountId, String intentId) {
        return call(() -> intent(client.v1().paymentIntents().cancel(intentId, onAccount(accountId).build())));
    }

    public Uni<RefundState> createRefund(String accountId, String intentId, long amountMinor, UUID palisadeRefundId) {
        RefundCreateParams params = RefundCreateParams.builder().setPaymentIntent(intentId).setAmount(amountMinor)
                .putMetadata("palisade_refund_id", palisadeRefundId.toString()).build();
        return call(() -> refund(client.v1().refunds().create(params,
                onAccount(accountId).setIdempotencyKey("palisade-refund-" + palisadeRefundId).build())));
    }

    public Uni<RefundState> refund(String accountId, String refundId) {
        return call(() -> refund(client.v1().refunds().retrieve(refundId, onAccount(accountId).build())));
    }

    public Uni<ChargeState> charge(String accountId, String chargeId) {
        return call(() -> {
            Charge charge = client.v1().charges().retrieve(chargeId, onAccount(accountId).build());
            return new ChargeState(charge.getId(), charge.getPaymentIntent(), charge.getAmountRefunded() == null ? 0 : charge.getAmountRefunded());
        });
    }

    private static RequestOptions.RequestOptionsBuilder onAccount(String accountId) {
        return RequestOptions.builder().setStripeAccount(accountId);
    }

    private static AccountState state(Account account) {
        return new AccountState(account.getId(), Boolean.TRUE.equals(account.getChargesEnabled()), Boolean.TRUE.equals(account.getDetailsSubmitted()));
    }

    private static Intent intent(PaymentIntent pi) {
        return new Intent(pi.getId(), pi.getClientSecret(), pi.getStatus(), pi.getAmountReceived() == null ? 0 : pi.getAmountReceived(),
                pi.getCurrency(), pi.getLastPaymentError() != null);
    }

    /** The refund; its palisade_refund_id metadata only when it is a well-formed id (the connected account can write any). */
    private static RefundState refund(Refund refund) {
        String palisadeId = refund.getMetadata() == null ? null : refund.getMetadata().get("palisade_refund_id");
        UUID id = null;
        try {
            id = palisadeId == null ? null : UUID.fromString(palisadeId);
        } catch (IllegalArgumentException notOurs) {
            // Left null: the refund is not one payment-service asked for.
        }
        return new RefundState(refund.getId(), refund.getStatus(), refund.getPaymentIntent(), id);
    }

    private static <T> Uni<T> call(Callable<T> call) {
        return Uni.createFrom().item(() -> {
            try {
                return call.call();
            } catch (StripeException e) {
                throw new StripeCallException(e);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** A refusal or failure of Stripe's API, with its HTTP status and error code. */
    public static final class StripeCallException extends RuntimeException {

        private final transient StripeException cause;

        StripeCallException(StripeException cause) {
            super(cause.getMessage(), cause);
            this.cause = cause;
        }

        public int status() {
            return cause.getStatusCode() == null ? 0 : cause.getStatusCode();
        }

        /** Stripe answered and said no (4xx): trying the same request again changes nothing. */
        public boolean refused() {
            return status() >= 400 && status() < 500;
        }
    }
}
