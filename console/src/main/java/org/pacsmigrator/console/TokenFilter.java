package org.pacsmigrator.console;

import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Set;

/**
 * Refuses (401) every request without {@code Authorization: Bearer <console.token>}, except reading
 * the page's own static files, which hold no data: the REST API (progress, studies, failures, the
 * report with its patient IDs, replay, pause and resume) is the token holder's only. Deny by default,
 * so a path the API gains later is covered without a change here.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public final class TokenFilter extends ConsoleRequestFilter {
    /** The page's files ({@link ConsolePage}), readable without the token. */
    static final Set<String> PUBLIC_FILES = Set.of("", "index.html", "console.js", "console.css");

    private final ConsoleToken token;

    public TokenFilter(ConsoleToken token) {
        this.token = token;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        boolean read = HttpMethod.GET.equals(request.getMethod()) || HttpMethod.HEAD.equals(request.getMethod());
        if (read && PUBLIC_FILES.contains(path(request))) {
            return;
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (!token.matches(authorization)) {
            refuse(request, Response.Status.UNAUTHORIZED, (authorization == null ? "no" : "wrong") + " console token; send "
                    + "'Authorization: Bearer <console.token>'", HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"pacs-migrator console\"");
        }
    }
}
