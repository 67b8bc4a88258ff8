package io.palisade.payment.refunds;

import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.idempotency.Idempotent;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Staff with REFUNDS refund all or part of one of the tenant's payments. */
@Path("/payments/{id}/refunds")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class RefundResource {

    public record RefundRequest(@NotNull @Min(1) Long amountMinor, @NotNull @Size(min = 1, max = 500) String reason) {
    }

    private final RefundService refunds;

    RefundResource(RefundService refunds) {
        this.refunds = refunds;
    }

    /** 202: Stripe was asked; the refund counts once its webhook confirms it. */
    @POST
    @Idempotent
    @PermissionsAllowed("REFUNDS")
    public Uni<Response> refund(@PathParam("id") UUID id, @Valid @NotNull RefundRequest request, @Context HttpServerRequest http) {
        return refunds.requestByStaff(id, request.amountMinor(), request.reason(), http.remoteAddress().hostAddress())
                .map(requested -> Response.accepted(requested).build());
    }
}
