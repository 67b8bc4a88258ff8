package io.palisade.webhook.endpoints;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;

/** What owners and admins send to manage endpoints. */
public final class EndpointRequests {

    public record Register(@NotBlank @Size(max = 2048) String url, @Size(max = 500) String description,
            @NotEmpty @Size(max = 50) List<@NotBlank String> eventTypes) {
    }

    /** Only the fields given change; {@code enabled: false} disables the endpoint, {@code true} enables it again. */
    public record Change(@Size(min = 1, max = 2048) String url, @Size(max = 500) String description,
            @Size(min = 1, max = 50) List<@NotBlank String> eventTypes, Boolean enabled) {
    }

    private EndpointRequests() {
    }
}
