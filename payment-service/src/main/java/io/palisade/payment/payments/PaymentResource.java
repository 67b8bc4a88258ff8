package io.palisade.payment.payments;

import java.util.UUID;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.palisade.common.web.Page;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;

/** The tenant's payments for staff: BOOKINGS_READ lists and reads them (refunds: refunds/RefundResource). */
@Path("/payments")
@Produces(MediaType.APPLICATION_JSON)
public class PaymentResource {

    private final StaffPayments payments;

    PaymentResource(StaffPayments payments) {
        this.payments = payments;
    }

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
}
