package org.pacsmigrator.console;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.pacsmigrator.config.MigrationConfig;

/**
 * Refuses (403) a request whose {@code Host} header names none of the console's own names: the
 * loopback names, the configured bind address and {@code console.allowedHosts}. A page of another
 * site whose name was made to resolve to this machine (DNS rebinding) sends its own name and cannot
 * read anything. The port is not compared: a tunnel or port-forward may change it.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 300)
public final class HostFilter extends ConsoleRequestFilter {
    static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

    private final Set<String> allowed;

    public HostFilter(Set<String> allowedHosts) {
        this.allowed = Set.copyOf(allowedHosts);
    }

    /** The host names of the console: loopback, the bind address unless it is a wildcard, the configured ones. */
    public static Set<String> allowedHosts(MigrationConfig.Console console) {
        Set<String> hosts = new TreeSet<>(LOOPBACK);
        String bind = console.bindAddress == null ? "" : console.bindAddress.strip().toLowerCase(Locale.ROOT);
        if (!bind.isEmpty() && !bind.equals("0.0.0.0") && !bind.equals("::") && !bind.equals("[::]")) {
            hosts.add(bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind);
        }
        console.allowedHosts.forEach(h -> hosts.add(h.toLowerCase(Locale.ROOT)));
        return hosts;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String host = request.getHeaderString(HttpHeaders.HOST);
        Authority authority = Authority.parse(host);
        if (authority == null || !allowed.contains(authority.host())) {
            refuse(request, Response.Status.FORBIDDEN, "unexpected Host " + (host == null ? "(none)" : "'" + clip(host) + "'")
                    + "; the console answers to " + String.join(", ", allowed) + " (add a name to console.allowedHosts)",
                    null, null);
        }
    }

    /** Host and port of a Host header or an origin's authority; port -1 when absent. */
    record Authority(String host, int port) {
        /** {@code host}, {@code host:port}, {@code [v6]}, {@code [v6]:port}; null when malformed. */
        static Authority parse(String value) {
            if (value == null || value.isBlank()) {
                return null;
            }
            String v = value.strip().toLowerCase(Locale.ROOT);
            String host;
            String rest;
            if (v.startsWith("[")) {
                int end = v.indexOf(']');
                if (end < 0) {
                    return null;
                }
                host = v.substring(0, end + 1);
                rest = v.substring(end + 1);
            } else {
                int colon = v.indexOf(':');
                host = colon < 0 ? v : v.substring(0, colon);
                rest = colon < 0 ? "" : v.substring(colon);
            }
            if (host.isEmpty() || host.equals("[]") || !host.matches("[a-z0-9._\\-\\[\\]:]+")) {
                return null;
            }
            if (rest.isEmpty()) {
                return new Authority(host, -1);
            }
            if (!rest.matches(":[0-9]{1,5}")) {
                return null;
            }
            int port = Integer.parseInt(rest.substring(1));
            return port <= 65535 ? new Authority(host, port) : null;
        }
    }
}
