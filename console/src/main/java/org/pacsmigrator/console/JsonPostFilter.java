package org.pacsmigrator.console;

import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses (415) a request that changes something (any method but GET, HEAD and OPTIONS) unless it is
 * declared JSON ({@code Content-Type: application/json}, body may be empty). An HTML form or a
 * {@code text/plain} fetch of another site cannot declare it without a CORS preflight, which the
 * console never grants.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION + 100)
public final class JsonPostFilter extends ConsoleRequestFilter {
    private static final Set<String> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    @Override
    public void filter(ContainerRequestContext request) {
        if (READS.contains(request.getMethod())) {
            return;
        }
        MediaType type;
        try {
            type = request.getMediaType();
        } catch (RuntimeException malformed) {
            type = null;
        }
        boolean json = type != null && "application".equalsIgnoreCase(type.getType())
                && ("json".equalsIgnoreCase(type.getSubtype()) || type.getSubtype().toLowerCase(Locale.ROOT).endsWith("+json"));
        if (!json) {
            refuse(request, Response.Status.UNSUPPORTED_MEDIA_TYPE, request.getMethod() + " needs 'Content-Type: application/json' (was "
                    + (type == null ? "none" : "'" + clip(type.toString()) + "'") + ")", null, null);
        }
    }
}
