package org.pacsmigrator.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console's request checks share: a refused request gets its status and a one-line reason
 * as plain text, and the log one line naming it (no stack trace, no header beyond what is needed).
 */
abstract class ConsoleRequestFilter implements ContainerRequestFilter {
    private static final Logger LOG = LoggerFactory.getLogger("org.pacsmigrator.console.access");
    private static final int MAX_CLIPPED = 200;

    @Context
    private HttpServletRequest servletRequest;

    /** Aborts the request with {@code status} and {@code reason}; {@code header}/{@code value} optional. */
    protected final void refuse(ContainerRequestContext request, Response.Status status, String reason,
                                String header, String value) {
        String from = servletRequest == null ? "?" : servletRequest.getRemoteAddr();
        String message = "console: refused " + clip(request.getMethod()) + " /" + clip(path(request)) + " from " + from + ": "
                + status.getStatusCode() + " " + reason;
        if (status == Response.Status.UNAUTHORIZED) {
            LOG.info(message);
        } else {
            LOG.warn(message);
        }
        Response.ResponseBuilder response = Response.status(status).type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8"))
                .entity(status.getStatusCode() + " " + status.getReasonPhrase() + ": " + reason + "\n");
        if (header != null) {
            response.header(header, value);
        }
        request.abortWith(response.build());
    }

    /** The request's path relative to the console's root, without a leading slash ("" for the page itself). */
    static String path(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath(false);
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path;
    }

    /** A header value as it may appear in a log line or message: bounded, printable. */
    static String clip(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() <= MAX_CLIPPED ? printable : printable.substring(0, MAX_CLIPPED) + "...";
    }
}
