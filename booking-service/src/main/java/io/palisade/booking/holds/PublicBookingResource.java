package io.palisade.booking.holds;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.booking.guests.GuestData;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The public booking widget of one tenant (by slug): availability and holds. No staff data here. */
@Path("/public/{tenant}")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PublicBookingResource {

    public record Guest(@NotBlank @Size(max = 200) String name, @NotBlank @Email @Size(max = 254) String email,
            @Size(max = 40) String phone, @Size(max = 1000) String dietaryNeeds, @Size(max = 1000) String allergies) {
    }

    public record HoldRequest(@NotNull UUID slotId, @NotNull @Min(1) @Max(50) Integer seats, @Valid @NotNull Guest guest) {
    }

    private final HoldService holds;

    PublicBookingResource(HoldService holds) {
        this.holds = holds;
    }

    @GET
    @Path("availability")
    public Uni<List<HoldService.Availability>> availability(@PathParam("tenant") String tenant, @QueryParam("from") String from,
            @QueryParam("until") String until) {
        OffsetDateTime start = parse(from, OffsetDateTime.now());
        OffsetDateTime end;
        try {
            end = parse(until, start.plusDays(31));
            if (!end.isAfter(start) || end.isAfter(start.plusDays(92))) {
                throw ProblemException.badRequest("until must be after from, and at most 92 days later");
            }
        } catch (java.time.DateTimeException outOfRange) {
            throw ProblemException.badRequest("from and until must be within the next years");
        }
        return holds.availability(tenant, start, end);
    }

    /**
     * Holds seats at once; they are freed when the hold expires unpaid. 409 when the slot has too few free seats,
     * 429 when this client or this email made too many holds lately.
     */
    @POST
    @Path("holds")
    public Uni<Response> hold(@PathParam("tenant") String tenant, @Valid @NotNull HoldRequest request, @Context HttpServerRequest http) {
        Guest guest = request.guest();
        return holds.hold(tenant, request.slotId(), request.seats(),
                new GuestData.Details(guest.name(), guest.email(), guest.phone(), guest.dietaryNeeds(), guest.allergies()), http.remoteAddress().hostAddress())
                .map(hold -> Response.status(201).entity(hold).build());
    }

    private static OffsetDateTime parse(String value, OffsetDateTime fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw ProblemException.badRequest("'" + value + "' is not an ISO-8601 date-time with offset");
        }
    }
}
