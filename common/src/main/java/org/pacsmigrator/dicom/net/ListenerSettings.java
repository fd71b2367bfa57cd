package org.pacsmigrator.dicom.net;

import java.time.Duration;
import java.util.List;

/**
 * The limits of one listener, so that no peer can hold it: who may associate, how many associations at once,
 * how many connections may still be negotiating (the oldest is dropped when more come), how long a connection
 * may take to complete its A-ASSOCIATE-RQ (the ARTIM timer of PS3.8) and how long an association may be idle.
 */
public record ListenerSettings(
        String name,
        String aeTitle,
        String bindAddress,
        int port,
        List<AllowedSender> allowedSenders,
        int maxAssociations,
        int maxPendingConnections,
        Duration artimTimeout,
        Duration idleTimeout) {

    public static final int DEFAULT_MAX_ASSOCIATIONS = 16;
    public static final int DEFAULT_MAX_PENDING = 16;
    public static final Duration DEFAULT_ARTIM = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(120);

    /** A listener with the default limits. */
    public static ListenerSettings of(String name, String aeTitle, String bindAddress, int port,
                                      List<AllowedSender> allowedSenders) {
        return new ListenerSettings(name, aeTitle, bindAddress, port, allowedSenders, DEFAULT_MAX_ASSOCIATIONS,
                DEFAULT_MAX_PENDING, DEFAULT_ARTIM, DEFAULT_IDLE);
    }

    public ListenerSettings withLimits(int maxAssociations, int maxPendingConnections, Duration artim, Duration idle) {
        return new ListenerSettings(name, aeTitle, bindAddress, port, allowedSenders, maxAssociations,
                maxPendingConnections, artim, idle);
    }
}
