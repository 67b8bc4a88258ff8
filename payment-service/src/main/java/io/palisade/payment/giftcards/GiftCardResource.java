package io.palisade.payment.giftcards;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.common.web.Page;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The tenant's gift cards: GIFT_CARDS_MANAGE issues them and reads balances and ledgers. */
@Path("/gift-cards")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class GiftCardResource {

    public record IssueRequest(@NotNull @Min(1) @Max(100_000_000) Long amountMinor, @NotNull @Pattern(regexp = "[A-Z]{3}") String currency,
            @Size(max = 500) String note, OffsetDateTime expiresAt) {
    }

    private final GiftCardService giftCards;

    GiftCardResource(GiftCardService giftCards) {
        this.giftCards = giftCards;
    }

    /** 201 with the code: it is shown this once and kept only as a hash. */
    @POST
    @Idempotent
    @PermissionsAllowed("GIFT_CARDS_MANAGE")
    public Uni<Response> issue(@Valid @NotNull IssueRequest request, @Context HttpServerRequest http) {
        return giftCards.issue(request.amountMinor(), request.currency(), request.note(), request.expiresAt(), http.remoteAddress().hostAddress())
                .map(issued -> Response.status(201).entity(issued).build());
    }

    @GET
    @PermissionsAllowed("GIFT_CARDS_MANAGE")
    public Uni<Page<GiftCardRepository.GiftCard>> list(@QueryParam("cursor") String cursor,
            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(200) int limit) {
        return giftCards.list(cursor, limit);
    }

    @GET
    @Path("{id}")
    @PermissionsAllowed("GIFT_CARDS_MANAGE")
    public Uni<GiftCardService.GiftCardWithLedger> get(@PathParam("id") UUID id) {
        return giftCards.get(id);
    }
}
