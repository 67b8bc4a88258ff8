package io.palisade.payment.giftcards;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.palisade.payment.payments.GuestPaymentService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** A tenant's public shop: guests buy gift cards, paid with Stripe Elements; the code arrives by mail once paid. */
@Path("/public/{tenant}/gift-cards")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PublicGiftCardResource {

    public record PurchaseRequest(@NotNull @Min(500) @Max(100_000) Long amountMinor, @NotNull @Pattern(regexp = "[A-Z]{3}") String currency,
            @NotBlank @Email @Size(max = 254) String buyerEmail) {
    }

    private final GiftCardPurchases purchases;

    PublicGiftCardResource(GiftCardPurchases purchases) {
        this.purchases = purchases;
    }

    @POST
    public Uni<GuestPaymentService.Checkout> purchase(@PathParam("tenant") String tenant, @Valid @NotNull PurchaseRequest request,
            @Context HttpServerRequest http) {
        return purchases.purchase(tenant, request.amountMinor(), request.currency(), request.buyerEmail(), http.remoteAddress().hostAddress());
    }
}
