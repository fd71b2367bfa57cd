package org.pacsmigrator.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * An Orthanc process playing a PACS (old or new) in tests, the demo and benchmarks. Its config
 * is generated; DICOM and HTTP ports are free loopback ports unless given. It runs with umask 077 in a
 * directory of its owner's only. Orthanc 1.10 has no
 * bind-address option: it listens on all interfaces, so only test data may be put in it.
 * A Lua filter appends one line per received C-STORE (or STOW-RS, through the DICOMweb plugin) to
 * {@code stores.log}, so tests can count stores that reached it (duplicates included, which Orthanc itself would hide).
 */
public final class OrthancServer implements AutoCloseable {
    /** A peer this Orthanc knows (for C-MOVE destinations and to accept a caller's AE title). */
    public record Modality(String aeTitle, String host, int port) {
    }

    /** The plugin of the Debian package orthanc-dicomweb (STOW-RS, QIDO-RS, WADO-RS). */
    public static final Path DICOMWEB_PLUGIN = Path.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");
    /** Where the DICOMweb plugin answers, below the HTTP port. */
    public static final String DICOMWEB_ROOT = "/dicom-web";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String aeTitle;
    private final Path directory;
    private int dicomPort;
    private int httpPort;
    private final Map<String, Modality> modalities;
    private final Map<String, Object> extraConfig;
    private Process process;

    private OrthancServer(String aeTitle, Path directory, int dicomPort, int httpPort,
                          Map<String, Modality> modalities, Map<String, Object> extraConfig) {
        this.aeTitle = aeTitle;
        this.directory = directory;
        this.dicomPort = dicomPort;
        this.httpPort = httpPort;
        this.modalities = new LinkedHashMap<>(modalities);
        this.extraConfig = new LinkedHashMap<>(extraConfig);
    }

    /**
     * Starts an Orthanc whose storage lives in {@code directory} (kept across restarts).
     * {@code dicomPort}/{@code httpPort} 0 means "pick a free port": Orthanc cannot bind port 0 and tell which
     * it got, so when a picked port was taken before Orthanc bound it, it starts again on other ones.
     */
    public static OrthancServer start(String aeTitle, Path directory, int dicomPort, int httpPort,
                                      Map<String, Modality> modalities, Map<String, Object> extraConfig) {
        return start(aeTitle, directory, dicomPort, httpPort, modalities, extraConfig, Ports::freePort);
    }

    /** With the ports to pick from {@code ports} (tests hand out a taken one first). */
    static OrthancServer start(String aeTitle, Path directory, int dicomPort, int httpPort, Map<String, Modality> modalities,
                               Map<String, Object> extraConfig, IntSupplier ports) {
        OrthancServer server = new OrthancServer(aeTitle, directory, dicomPort, httpPort, modalities, extraConfig);
        return StartLog.retryingTakenPorts("Orthanc " + aeTitle, () -> {
            server.dicomPort = dicomPort == 0 ? ports.getAsInt() : dicomPort;
            server.httpPort = httpPort == 0 ? ports.getAsInt() : httpPort;
            server.start();
            return server;
        });
    }

    public static OrthancServer start(String aeTitle, Path directory, Map<String, Modality> modalities) {
        return start(aeTitle, directory, 0, 0, modalities, Map.of());
    }

    /**
     * The configuration that loads the DICOMweb plugin at {@link #DICOMWEB_ROOT}, merged into {@code extraConfig} (for
     * {@link #start(String, Path, int, int, Map, Map)}): an Orthanc that is also a DICOMweb archive.
     */
    public static Map<String, Object> withDicomWeb(Map<String, Object> extraConfig) {
        if (!Files.isReadable(DICOMWEB_PLUGIN)) {
            throw new IllegalStateException(DICOMWEB_PLUGIN + " is missing: install the Debian package orthanc-dicomweb "
                    + "(scripts/setup.sh does)");
        }
        Map<String, Object> config = new LinkedHashMap<>(extraConfig);
        config.put("Plugins", List.of(DICOMWEB_PLUGIN.toString()));
        config.put("DicomWeb", Map.of("Enable", true, "Root", DICOMWEB_ROOT + "/"));
        return config;
    }

    /** Attaches to an Orthanc that is already running (addresses from the environment). */
    public static OrthancServer attach(String aeTitle, int dicomPort, int httpPort, Path directory) {
        return new OrthancServer(aeTitle, directory, dicomPort, httpPort, Map.of(), Map.of());
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            ChildJvm.privateDirectory(directory);
            ChildJvm.privateDirectory(directory.resolve("storage"));
            Path lua = directory.resolve("count-stores.lua");
            ChildJvm.writePrivate(lua, """
                    function ReceivedInstanceFilter(dicom, origin, info)
                      if origin['RequestOrigin'] == 'DicomProtocol' or origin['RequestOrigin'] == 'Plugins' then
                        local f = io.open('%s', 'a')
                        f:write((dicom['SOPInstanceUID'] or '?') .. '\\n')
                        f:close()
                      end
                      return true
                    end
                    """.formatted(storesLog().toAbsolutePath()));
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("Name", aeTitle);
            config.put("StorageDirectory", directory.resolve("storage").toAbsolutePath().toString());
            config.put("IndexDirectory", directory.resolve("storage").toAbsolutePath().toString());
            config.put("DicomAet", aeTitle);
            config.put("DicomPort", dicomPort);
            config.put("HttpPort", httpPort);
            config.put("RemoteAccessAllowed", false);
            config.put("AuthenticationEnabled", false);
            config.put("DicomCheckCalledAet", false);
            config.put("DicomAlwaysAllowEcho", true);
            config.put("DicomAlwaysAllowStore", true);
            config.put("StorageCompression", false);
            config.put("HttpServerEnabled", true);
            config.put("LuaScripts", List.of(lua.toAbsolutePath().toString()));
            config.put("DicomScpTimeout", 60);
            config.put("StableAge", 1);
            config.put("ConcurrentJobs", 2);
            Map<String, Object> mods = new LinkedHashMap<>();
            modalities.forEach((name, m) -> mods.put(name, modalityConfig(m)));
            config.put("DicomModalities", mods);
            config.putAll(extraConfig);
            Path configFile = directory.resolve("orthanc.json");
            ChildJvm.writePrivate(configFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            Path log = directory.resolve("orthanc.log");
            ProcessBuilder pb = ChildJvm.ownerOnlyProcess(List.of("Orthanc", configFile.toAbsolutePath().toString()),
                    directory, log);
            pb.environment().put("TCP_NODELAY", "1");
            StartLog started = StartLog.of(log);
            process = ChildProcesses.started(pb.start());
            try {
                // logged once both the DICOM and the HTTP server listen
                started.awaitLine("Orthanc " + aeTitle, "Orthanc has started", process, Duration.ofSeconds(30));
            } catch (IllegalStateException e) {
                stop();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Orthanc " + aeTitle, e);
        }
    }

    /**
     * Makes {@code modality} known as {@code name}: at once through the REST API when running, and in the
     * configuration of every later start.
     */
    public synchronized void addModality(String name, Modality modality) {
        modalities.put(name, modality);
        if (process != null && process.isAlive()) {
            try {
                String body = JSON.writeValueAsString(modalityConfig(modality));
                send(HttpRequest.newBuilder(uri("/modalities/" + name)).timeout(Duration.ofSeconds(30))
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Map<String, Object> modalityConfig(Modality m) {
        return Map.of("AET", m.aeTitle(), "Host", m.host(), "Port", m.port(),
                "AllowEcho", true, "AllowFind", true, "AllowMove", true, "AllowGet", true,
                "AllowStore", true, "AllowStorageCommitment", true);
    }

    /** Stops the process and waits for it to exit (a restart before that fails on the SQLite lock). */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    public String aeTitle() {
        return aeTitle;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int dicomPort() {
        return dicomPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path directory() {
        return directory;
    }

    /** The base URL of the DICOMweb plugin (started {@link #withDicomWeb}). */
    public String dicomWebUrl() {
        return "http://" + host() + ":" + httpPort + DICOMWEB_ROOT;
    }

    /** "AE@host:port/httpPort", the form used in environment variables. */
    public String address() {
        return aeTitle + "@" + host() + ":" + dicomPort + "/" + httpPort;
    }

    /** Parses {@link #address()}. */
    public static OrthancServer attach(String address, Path directory) {
        String ae = address.substring(0, address.indexOf('@'));
        String rest = address.substring(address.indexOf('@') + 1);
        String[] hostPort = rest.split("[:/]");
        return attach(ae, Integer.parseInt(hostPort[1]), Integer.parseInt(hostPort[2]), directory);
    }

    // ---- REST helpers for tests and the demo -------------------------------------------------

    public JsonNode get(String path) {
        return readTree(getBytes(path));
    }

    public byte[] getBytes(String path) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET().build();
        return send(request).body();
    }

    public JsonNode post(String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        byte[] response = send(request).body();
        return response.length == 0 ? JSON.nullNode() : readTree(response);
    }

    public void delete(String path) {
        send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).DELETE().build());
    }

    /** Number of instances stored. */
    public int countInstances() {
        return get("/statistics").path("CountInstances").asInt();
    }

    /** SOP Instance UIDs of every stored instance (the listing, not /tools/find: LimitFindInstances caps that). */
    public List<String> sopInstanceUids() {
        JsonNode found = get("/instances?expand");
        List<String> uids = new ArrayList<>();
        found.forEach(i -> uids.add(i.path("MainDicomTags").path("SOPInstanceUID").asText()));
        return uids;
    }

    /** The Part 10 file of an instance, by SOP Instance UID. */
    public byte[] instanceFile(String sopInstanceUid) {
        JsonNode ids = post("/tools/lookup", sopInstanceUid);
        for (JsonNode id : ids) {
            if ("Instance".equals(id.path("Type").asText())) {
                return getBytes("/instances/" + id.path("ID").asText() + "/file");
            }
        }
        throw new IllegalArgumentException("no instance " + sopInstanceUid + " in " + aeTitle);
    }

    /** Deletes every patient (and so every study and instance), and the C-STORE counter. */
    public void deleteAll() {
        for (JsonNode id : get("/patients")) {
            try {
                delete("/patients/" + id.asText());
            } catch (IllegalStateException alreadyGone) {
                if (!alreadyGone.getMessage().contains("HTTP 404")) {
                    throw alreadyGone;
                }
            }
        }
        try {
            Files.deleteIfExists(storesLog());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** C-STOREs (and STOW-RS instances) received since start or {@link #deleteAll()}, duplicates included. */
    public List<String> receivedStores() {
        try {
            return Files.exists(storesLog()) ? Files.readAllLines(storesLog()) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path storesLog() {
        return directory.resolve("stores.log");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /**
     * Sends once more on an I/O error: Orthanc closes idle keep-alive connections, and the JDK
     * client only retries GETs on a connection that turned out to be closed. Every call made here
     * is safe to repeat (reads, deletes, lookups).
     */
    private static HttpResponse<byte[]> send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response;
            try {
                response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException closedConnection) {
                response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            }
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " -> HTTP " + response.statusCode()
                        + ": " + new String(response.body(), StandardCharsets.UTF_8));
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
