package io.palisade.payment.payments;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.palisade.payment.giftcards.GiftCardRedemption;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * The guest's payment step. The payment token (from the hold) travels in a header, never in the URL. Calling it
 * again returns the same PaymentIntent's client secret. There is deliberately no "payment succeeded" call: only
 * Stripe's verified webhook confirms a payment.
 */
@Path("/guest/payment")
@Produces(MediaType.APPLICATION_JSON)
public class GuestPaymentResource {

    public record GiftCardRequest(@NotBlank @Size(max = 40) String code) {
    }

    @Inject
    GuestPaymentService payments;

    @Inject
    GiftCardRedemption giftCards;

    @POST
    public Uni<GuestPaymentService.Checkout> checkout(@HeaderParam("X-Guest-Token") String token) {
        return payments.checkout(token);
    }

    /** Pays the booking, wholly or partly, from a gift card; what is left is paid by card through the checkout. */
    @POST
    @Path("gift-card")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<GiftCardRedemption.Redeemed> redeemGiftCard(@HeaderParam("X-Guest-Token") String token, @Valid @NotNull GiftCardRequest request,
            @Context HttpServerRequest http) {
        return giftCards.redeem(token, request.code(), http.remoteAddress().hostAddress());
    }
}
