package org.pacsmigrator.dicom.net;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our one DICOM listener (association acceptor), used by the storage SCP and the storage commitment report
 * listener alike: its own ServerSocket on the configured address, TCP_NODELAY, the upper-layer protocol
 * implemented here with bounded reads (see {@link AcceptedAssociation}), and the {@link DimseService}s
 * registered by command field. It enforces who may associate (calling AE title and address), the ARTIM timer,
 * the number of negotiating connections and of associations; above the limit an association is rejected at
 * once as transient (local limit exceeded), never queued.
 */
public final class DicomListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DicomListener.class);
    /** Distinct refused peers logged by name; beyond that only the metric counts them. */
    private static final int MAX_LOGGED_PEERS = 256;

    private final ListenerSettings settings;
    private final ContextPolicy policy;
    private final Map<Integer, DimseService> services;
    private final ServerSocket serverSocket;
    private final ThreadPoolExecutor threads;
    private final Semaphore associations;
    private final Deque<Socket> negotiating = new ConcurrentLinkedDeque<>();
    private final Set<String> loggedPeers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger rejectedForLimit = new AtomicInteger();
    private final MeterRegistry meters;
    private volatile boolean closed;

    private DicomListener(ListenerSettings settings, ContextPolicy policy, List<DimseService> services,
                          ServerSocket serverSocket, MeterRegistry meters) {
        this.settings = settings;
        this.policy = policy;
        this.serverSocket = serverSocket;
        this.meters = meters;
        Map<Integer, DimseService> byField = new HashMap<>();
        for (DimseService s : services) {
            for (int field : s.commandFields()) {
                byField.put(field, s);
            }
        }
        byField.putIfAbsent(CommandSet.C_ECHO_RQ, new EchoService());
        this.services = Map.copyOf(byField);
        this.associations = new Semaphore(settings.maxAssociations());
        AtomicInteger n = new AtomicInteger();
        // Every thread is either negotiating (bounded by eviction) or serving an association (bounded by the
        // semaphore); a few more for connections being turned away.
        int maxThreads = settings.maxAssociations() + settings.maxPendingConnections() + 4;
        this.threads = new ThreadPoolExecutor(0, maxThreads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, settings.name() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("pacsmig.dicom.listener.associations.active", active, AtomicInteger::get)
                .description("Associations being served by a DICOM listener").tag("listener", settings.name())
                .register(meters);
    }

    /**
     * Binds {@code bindAddress:port} (0 = any free port; {@link #port()} tells which) and starts accepting.
     * A port in use fails here with a message naming address and port.
     */
    public static DicomListener start(ListenerSettings settings, ContextPolicy policy, List<DimseService> services,
                                      MeterRegistry meters) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(settings.bindAddress()), settings.port()), 64);
        } catch (IOException e) {
            socket.close();
            String what = settings.name() + " (AE " + settings.aeTitle() + ") cannot listen on " + settings.bindAddress()
                    + ":" + settings.port() + ": " + e.getMessage();
            throw e instanceof BindException ? new BindException(what) : new IOException(what, e);
        }
        DicomListener listener = new DicomListener(settings, policy, new ArrayList<>(services), socket,
                meters == null ? new SimpleMeterRegistry() : meters);
        Thread accept = new Thread(listener::acceptLoop, settings.name() + "-accept");
        accept.setDaemon(true);
        accept.start();
        return listener;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public ListenerSettings settings() {
        return settings;
    }

    /** Associations rejected because the listener was at its limit, since start (the retriever tells this apart). */
    public int rejectedForLimit() {
        return rejectedForLimit.get();
    }

    /** Stops accepting; associations in progress finish. */
    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : negotiating) {
            closeQuietly(s);
        }
        threads.shutdown();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("{}: accept failed: {}", settings.name(), e.toString());
                }
                continue;
            }
            try {
                socket.setTcpNoDelay(true);
                negotiating.addLast(socket);
                while (negotiating.size() > settings.maxPendingConnections()) {
                    Socket oldest = negotiating.pollFirst();
                    if (oldest != null) {
                        count("evicted");
                        closeQuietly(oldest); // its thread's read fails and ends it
                    }
                }
                threads.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                negotiating.remove(socket);
                count("no thread");
                closeQuietly(socket);
            } catch (IOException e) {
                negotiating.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        AcceptedAssociation association = new AcceptedAssociation(socket, this);
        try {
            association.run();
        } finally {
            negotiating.remove(socket);
            closeQuietly(socket);
        }
    }

    // ---- decisions and bookkeeping, called by AcceptedAssociation ----

    ContextPolicy policy() {
        return policy;
    }

    DimseService service(int commandField) {
        return services.get(commandField);
    }

    boolean allowed(String callingAeTitle, InetAddress from) {
        for (AllowedSender s : settings.allowedSenders()) {
            if (s.allows(callingAeTitle, from)) {
                return true;
            }
        }
        return false;
    }

    /** The handshake is over (accepted or not): the socket no longer counts as negotiating. */
    void negotiated(Socket socket) {
        negotiating.remove(socket);
    }

    /** Takes an association slot, or counts the rejection. */
    boolean tryOpen() {
        if (associations.tryAcquire()) {
            active.incrementAndGet();
            count("accepted");
            return true;
        }
        rejectedForLimit.incrementAndGet();
        count("rejected: limit");
        return false;
    }

    void closed() {
        active.decrementAndGet();
        associations.release();
    }

    void count(String outcome) {
        Counter.builder("pacsmig.dicom.listener.connections")
                .description("Connections to a DICOM listener by outcome (accepted, rejected, evicted, aborted, timed out)")
                .tags("listener", settings.name(), "outcome", outcome).register(meters).increment();
    }

    /** Logs a refused peer once per kind of refusal (per AE title and address); names escaped. */
    void logRefusedOnce(String kind, String detail, String callingAeTitle, InetAddress from) {
        String key = kind + "|" + callingAeTitle + "|" + from.getHostAddress();
        if (loggedPeers.size() < MAX_LOGGED_PEERS && loggedPeers.add(key)) {
            LOG.warn("{}: {}{} from calling AE '{}' at {} (logged once per peer)", settings.name(), kind,
                    detail.isEmpty() ? "" : " (" + detail + ")", LogSafe.text(callingAeTitle), from.getHostAddress());
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** C-ECHO: success on any association that accepted Verification. */
    private static final class EchoService implements DimseService {
        @Override
        public Set<Integer> commandFields() {
            return Set.of(CommandSet.C_ECHO_RQ);
        }

        @Override
        public Request open(Peer peer, CommandSet command, String transferSyntax) {
            return Request.answering(command, 0x0000);
        }
    }
}
