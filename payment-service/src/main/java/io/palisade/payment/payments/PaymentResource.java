package io.palisade.payment.payments;

import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
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
import io.palisade.payment.refunds.RefundService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The tenant's payments for staff: BOOKINGS_READ lists and reads them, REFUNDS refunds all or part of one. */
@Path("/payments")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PaymentResource {

    public record RefundRequest(@NotNull @Min(1) Long amountMinor, @NotNull @Size(min = 1, max = 500) String reason) {
    }

    @Inject
    StaffPayments payments;

    @Inject
    RefundService refunds;

    @GET
    @PermissionsAllowed("BOOKINGS_READ")
    public Uni<Page<PaymentRepository.Payment>> list(@QueryParam("bookingId") UUID bookingId, @QueryParam("status") String status,
            @QueryParam("cursor") String cursor, @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(200) int limit) {
        return payments.list(bookingId, status, cursor, limit);
    }

    @GET
    @Path("{id}")
    @PermissionsAllowed("BOOKINGS_READ")
    public Uni<StaffPayments.PaymentWithRefunds> get(@PathParam("id") UUID id) {
        return payments.get(id);
    }

    /** 202: Stripe was asked; the refund counts once its webhook confirms it. */
    @POST
    @Path("{id}/refunds")
    @Idempotent
    @PermissionsAllowed("REFUNDS")
    public Uni<Response> refund(@PathParam("id") UUID id, @Valid @NotNull RefundRequest request, @Context HttpServerRequest http) {
        return refunds.requestByStaff(id, request.amountMinor(), request.reason(), http.remoteAddress().hostAddress())
                .map(requested -> Response.accepted(requested).build());
    }
}
