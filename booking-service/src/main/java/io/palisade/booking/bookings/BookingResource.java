package io.palisade.booking.bookings;

import java.time.OffsetDateTime;
import java.util.UUID;

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
import io.palisade.common.web.ProblemException;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The tenant's bookings for staff: BOOKINGS_READ lists, BOOKINGS_CANCEL cancels. */
@Path("/bookings")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class BookingResource {

    public record Cancel(@NotNull @Size(min = 1, max = 500) String reason) {
    }

    public record Rebook(@NotNull UUID fromSlotId, @NotNull UUID toSlotId, @Size(max = 1000) java.util.List<@NotNull UUID> bookingIds) {
    }

    private final BookingService bookings;

    BookingResource(BookingService bookings) {
        this.bookings = bookings;
    }

    /** Moves bookings from one slot to another, all or nothing (409 if the target cannot take them all). */
    @POST
    @Path("rebook")
    @Idempotent
    @PermissionsAllowed("BOOKINGS_WRITE")
    public Uni<Response> rebook(@Valid @NotNull Rebook request, @Context HttpServerRequest http) {
        return bookings.rebook(request.fromSlotId(), request.toSlotId(), request.bookingIds(), http.remoteAddress().hostAddress())
                .map(result -> Response.ok(result).build());
    }

    @GET
    @PermissionsAllowed("BOOKINGS_READ")
    public Uni<Page<BookingRepository.Booking>> list(@QueryParam("slotId") UUID slotId, @QueryParam("status") String status,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") String cursor,
            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(200) int limit) {
        return bookings.list(new BookingRepository.Filter(slotId, status, time(from), time(to)), cursor, limit);
    }

    @POST
    @Path("{id}/cancel")
    @Idempotent
    @PermissionsAllowed("BOOKINGS_CANCEL")
    public Uni<Response> cancel(@PathParam("id") UUID id, @Valid @NotNull Cancel request, @Context HttpServerRequest http) {
        return bookings.cancel(id, request.reason(), http.remoteAddress().hostAddress()).map(booking -> Response.ok(booking).build());
    }

    private static OffsetDateTime time(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw ProblemException.badRequest("from and to are ISO-8601 date-times with offset");
        }
    }
}
