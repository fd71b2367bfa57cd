package org.pacsmigrator.console;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.pacsmigrator.config.MigrationConfig;

/**
 * Refuses (403) a request that carries an {@code Origin} other than the console's own: a page of
 * another site (a cross-site form or fetch, whatever its content type) cannot make the browser act on
 * the console. The own origin is the one of the request itself (scheme-default port when the Host
 * names none), or any origin on a host of {@code console.allowedHosts} (a proxy in front, e.g. TLS on
 * 443 for a console on 8090). Requests without an Origin (tools, same-origin GETs) pass: the token
 * check still applies.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 200)
public final class OriginFilter extends ConsoleRequestFilter {
    private final Set<String> proxiedHosts;

    /** {@code proxiedHosts}: console.allowedHosts (lower-case). */
    public OriginFilter(Set<String> proxiedHosts) {
        this.proxiedHosts = Set.copyOf(proxiedHosts);
    }

    /** console.allowedHosts, lower-case. */
    public static Set<String> proxiedHosts(MigrationConfig.Console console) {
        Set<String> hosts = new TreeSet<>();
        console.allowedHosts.forEach(h -> hosts.add(h.toLowerCase(Locale.ROOT)));
        return hosts;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        if (origin != null && !allowed(origin, request.getHeaderString(HttpHeaders.HOST))) {
            refuse(request, Response.Status.FORBIDDEN, "foreign Origin '" + clip(origin) + "'", null, null);
        }
    }

    boolean allowed(String origin, String hostHeader) {
        URI uri;
        try {
            uri = new URI(origin.strip());
        } catch (URISyntaxException e) {
            return false; // includes "null" (sandboxed frames, file: pages)
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawUserInfo() != null) {
            return false;
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (proxiedHosts.contains(host)) {
            return true;
        }
        HostFilter.Authority own = HostFilter.Authority.parse(hostHeader);
        if (own == null || !own.host().equals(host)) {
            return false;
        }
        return own.port() >= 0 ? own.port() == port : port == (scheme.equals("https") ? 443 : 80);
    }
}
