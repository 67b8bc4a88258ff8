package io.palisade.booking.catalog;

import java.time.OffsetDateTime;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies of the catalogue endpoints. */
public final class CatalogRequests {

    private CatalogRequests() {
    }

    public record NewOffering(@NotBlank @Size(max = 200) String name, @Size(max = 4000) String description,
            @NotNull @Min(0) @Max(100_000_000) Long priceMinor,
            @NotNull @Pattern(regexp = "^[A-Z]{3}$", message = "an ISO 4217 code such as EUR") String currency,
            @NotNull @Min(1) @Max(10080) Integer durationMinutes, boolean published) {
    }

    /** Absent fields stay as they are. */
    public record ChangeOffering(@Size(min = 1, max = 200) String name, @Size(max = 4000) String description,
            @Min(0) @Max(100_000_000) Long priceMinor, Boolean published) {
    }

    /** endsAt defaults to startsAt plus the offering's duration. */
    public record NewSlot(@NotNull OffsetDateTime startsAt, OffsetDateTime endsAt, @NotNull @Min(1) @Max(10000) Integer capacity) {
    }
}
