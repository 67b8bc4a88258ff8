package io.palisade.payment.payments;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

/**
 * The guest's payment step. The payment token (from the hold) travels in a header, never in the URL. Calling it
 * again returns the same PaymentIntent's client secret. There is deliberately no "payment succeeded" call: only
 * Stripe's verified webhook confirms a payment. A gift card pays first through giftcards/GuestGiftCardResource.
 */
@Path("/guest/payment")
@Produces(MediaType.APPLICATION_JSON)
public class GuestPaymentResource {

    private final GuestPaymentService payments;

    GuestPaymentResource(GuestPaymentService payments) {
        this.payments = payments;
    }

    @POST
    public Uni<GuestPaymentService.Checkout> checkout(@HeaderParam("X-Guest-Token") String token) {
        return payments.checkout(token);
    }
}
