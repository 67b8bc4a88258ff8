package io.palisade.payment.giftcards;

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

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * A guest pays the booking, wholly or partly, from a gift card, with the payment token of the hold (in a header, never
 * in the URL); what is left is paid by card through the checkout (payments/GuestPaymentResource).
 */
@Path("/guest/payment/gift-card")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class GuestGiftCardResource {

    public record GiftCardRequest(@NotBlank @Size(max = 40) String code) {
    }

    private final GiftCardRedemption giftCards;

    GuestGiftCardResource(GiftCardRedemption giftCards) {
        this.giftCards = giftCards;
    }

    @POST
    public Uni<GiftCardRedemption.Redeemed> redeem(@HeaderParam("X-Guest-Token") String token, @Valid @NotNull GiftCardRequest request,
            @Context HttpServerRequest http) {
        return giftCards.redeem(token, request.code(), http.remoteAddress().hostAddress());
    }
}
