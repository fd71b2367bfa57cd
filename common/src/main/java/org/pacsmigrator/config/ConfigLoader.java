package org.pacsmigrator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.pacsmigrator.dicom.net.AllowedSender;
import org.pacsmigrator.dicomweb.DicomWebEndpoint;
import org.pacsmigrator.schedule.TimeWindows;

/** Reads and validates a {@link MigrationConfig}; every problem names its key. */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .registerModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The shortest console.token accepted. */
    public static final int MIN_TOKEN_LENGTH = 16;

    /** Values of verify.completion. */
    public static final List<String> VERIFY_COMPLETION = List.of("sent", "sent-and-cfind", "sent-and-committed");

    /** Values of forward.cacheCheck. */
    public static final List<String> FORWARD_CACHE_CHECK = List.of("hash", "size");

    private ConfigLoader() {
    }

    public static MigrationConfig load(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException(null, "cannot read config file " + file);
        }
        try {
            MigrationConfig config = parse(Files.readString(file));
            // Files named in the config are relative to the config file, not to the working directory.
            for (MigrationConfig.Pacs pacs : new MigrationConfig.Pacs[] {config.source, config.destination}) {
                MigrationConfig.DicomWeb web = pacs == null ? null : pacs.dicomweb;
                if (web != null && web.trustStore != null && !Path.of(web.trustStore).isAbsolute()) {
                    web.trustStore = file.toAbsolutePath().getParent().resolve(web.trustStore).toString();
                }
            }
            validate(config);
            if (config.forward.rulesFile != null && !Path.of(config.forward.rulesFile).isAbsolute()) {
                config.forward.rulesFile = file.toAbsolutePath().getParent().resolve(config.forward.rulesFile).toString();
            }
            return config;
        } catch (CharacterCodingException e) {
            throw new ConfigException(null, "config file " + file + " is not a YAML file: it is not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read config file " + file + ": " + e.getMessage());
        }
    }

    public static MigrationConfig parse(String yaml) {
        return parse(yaml, System::getenv);
    }

    /**
     * Parses, then replaces {@code ${NAME}} in every text value by the environment variable NAME (secrets such as
     * the S3 keys come from a Kubernetes Secret that way); an unset variable is an error naming it and its key
     * (see {@link EnvironmentSubstitution}).
     */
    public static MigrationConfig parse(String yaml, Function<String, String> environment) {
        JsonNode tree = YamlTree.read(yaml);
        if (tree == null || tree.isNull()) {
            throw new ConfigException(null, "the config file is empty");
        }
        if (!tree.isObject()) {
            throw new ConfigException(null, "the config must be a YAML mapping of keys (migrationId, source, ...), found "
                    + ValueMismatch.found(tree));
        }
        new EnvironmentSubstitution(environment).apply(tree, "");
        try {
            return YAML.treeToValue(tree, MigrationConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(path(e), "unknown key (known keys here: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")");
        } catch (JsonMappingException e) {
            throw new ConfigException(path(e), ValueMismatch.describe(e, tree));
        } catch (JsonProcessingException e) {
            throw new ConfigException(null, "not valid YAML: " + e.getOriginalMessage());
        }
    }

    /** Checks required keys and ranges; returns the config for chaining. */
    public static MigrationConfig validate(MigrationConfig c) {
        Validator v = new Validator();
        v.require("migrationId", c.migrationId);
        if (c.migrationId != null && !c.migrationId.matches("[a-z][a-z0-9_]{0,30}")) {
            v.fail("migrationId", "must be lower-case letters, digits and '_' starting with a letter (max 31), got '" + c.migrationId + "'");
        }
        v.archive("source", c.source);
        v.retrieveMethod(c.source);
        v.archive("destination", c.destination);
        if (c.destination != null && c.destination.usesDicomWeb() && "sent-and-committed".equals(c.verify.completion)) {
            v.fail("verify.completion", "sent-and-committed needs DIMSE Storage Commitment: with destination.protocol "
                    + "dicomweb use sent or sent-and-cfind (the study listed by QIDO-RS)");
        }
        v.aeTitle("migrator.aeTitle", c.migrator.aeTitle);
        v.port("migrator.port", c.migrator.port);
        v.require("migrator.bindAddress", c.migrator.bindAddress);
        v.senders("migrator.allowedSenders", c.migrator.allowedSenders);
        v.atLeast("migrator.maxAssociations", c.migrator.maxAssociations, 1);
        v.atLeast("migrator.artimSeconds", c.migrator.artimSeconds, 1);
        v.atLeast("migrator.idleTimeoutSeconds", c.migrator.idleTimeoutSeconds, 1);
        v.require("index.from", c.index.from);
        v.require("index.to", c.index.to);
        if (c.index.from != null && c.index.to != null && c.index.from.isAfter(c.index.to)) {
            v.fail("index.to", "is before index.from");
        }
        if (!"newest-first".equals(c.index.order) && !"oldest-first".equals(c.index.order)) {
            v.fail("index.order", "must be newest-first or oldest-first, got '" + c.index.order + "'");
        }
        v.atLeast("index.findResultCap", c.index.findResultCap, 0);
        v.indexSchedule(c.index);
        v.atLeast("retrieve.maxAttempts", c.retrieve.maxAttempts, 1);
        v.atLeast("retrieve.arrivalGraceSeconds", c.retrieve.arrivalGraceSeconds, 0);
        v.associationPolicy("retrieve", c.retrieve);
        v.associationPolicy("forward", c.forward);
        for (int i = 0; i < c.forward.transferSyntaxConversions.size(); i++) {
            MigrationConfig.Conversion conv = c.forward.transferSyntaxConversions.get(i);
            String key = "forward.transferSyntaxConversions[" + i + "]";
            if (conv.from == null || !(conv.from.equals("*") || conv.from.matches("[0-9.]+"))) {
                v.fail(key + ".from", "must be a transfer syntax UID or *");
            } else if (conv.to == null || !Set.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1",
                    "1.2.840.10008.1.2.2").contains(conv.to)) {
                v.fail(key + ".to", "must be an uncompressed transfer syntax (1.2.840.10008.1.2, .1.2.1 or .1.2.2)");
            }
        }
        if (c.storage.cache == null) {
            c.storage.cache = new MigrationConfig.Cache();
        }
        if (!"filesystem".equals(c.storage.cache.type) && !"s3".equals(c.storage.cache.type)) {
            v.fail("storage.cache.type", "must be filesystem or s3, got '" + c.storage.cache.type + "'");
        }
        if ("s3".equals(c.storage.cache.type)) {
            v.require("storage.cache.bucket", c.storage.cache.bucket);
            v.atLeast("storage.cache.partSizeMb", c.storage.cache.partSizeMb, 5);
            v.atLeast("storage.cache.multipartThresholdMb", c.storage.cache.multipartThresholdMb, 5);
        }
        v.atLeast("forward.batchSize", c.forward.batchSize, 1);
        v.atLeast("forward.associations", c.forward.associations, 1);
        v.atLeast("retrieve.concurrency", c.retrieve.concurrency, 1);
        if (!List.of("stop", "send", "rule").contains(c.forward.patientIdConflict)) {
            v.fail("forward.patientIdConflict", "must be stop, send or rule, got '" + c.forward.patientIdConflict + "'");
        } else if ("rule".equals(c.forward.patientIdConflict) && c.forward.rulesFile == null) {
            v.fail("forward.patientIdConflict", "'rule' needs forward.rulesFile with a rule marked onPatientIdConflict");
        }
        v.atLeast("forward.concurrency", c.forward.concurrency, 1);
        if (!FORWARD_CACHE_CHECK.contains(c.forward.cacheCheck)) {
            v.fail("forward.cacheCheck", "must be one of " + String.join(", ", FORWARD_CACHE_CHECK) + ", got '"
                    + c.forward.cacheCheck + "'");
        }
        v.atLeast("verify.maxAttempts", c.verify.maxAttempts, 1);
        v.atLeast("verify.findResultCap", c.verify.findResultCap, 0);
        v.atLeast("verify.retryDelaySeconds", c.verify.retryDelaySeconds, 0);
        if (!VERIFY_COMPLETION.contains(c.verify.completion)) {
            v.fail("verify.completion", "must be one of " + String.join(", ", VERIFY_COMPLETION) + ", got '"
                    + c.verify.completion + "'");
        }
        if (c.verify.commitment == null) {
            v.fail("verify.commitment", "must not be empty");
        } else {
            v.aeTitle("verify.commitment.aeTitle", c.verify.commitment.aeTitle);
            v.port("verify.commitment.port", c.verify.commitment.port);
            v.atLeast("verify.commitment.timeoutSeconds", c.verify.commitment.timeoutSeconds, 1);
            v.atLeast("verify.commitment.maxRequests", c.verify.commitment.maxRequests, 1);
            v.atLeast("verify.commitment.sameAssociationWaitMillis", c.verify.commitment.sameAssociationWaitMillis, 0);
            v.senders("verify.commitment.allowedSenders", c.verify.commitment.allowedSenders);
            if (c.verify.commitment.aeTitle != null && c.verify.commitment.aeTitle.equals(c.migrator.aeTitle)
                    && "sent-and-committed".equals(c.verify.completion)) {
                v.fail("verify.commitment.aeTitle", "must differ from migrator.aeTitle (the new PACS reports to it on its own port)");
            }
            if (c.verify.commitment.port != null && c.verify.commitment.port.equals(c.migrator.port)
                    && "sent-and-committed".equals(c.verify.completion)) {
                v.fail("verify.commitment.port", "must differ from migrator.port");
            }
        }
        v.require("storage.dataDirectory", c.storage.dataDirectory);
        v.require("services.kafka", c.services.kafka);
        v.require("services.cassandra", c.services.cassandra);
        v.atLeast("services.partitions", c.services.partitions, 1);
        v.groupMembership(c.services);
        if (c.console.port < -1 || c.console.port > 65535) {
            v.fail("console.port", "must be -1 (off), 0 (any free port) or 1..65535, got " + c.console.port);
        }
        v.require("console.bindAddress", c.console.bindAddress);
        v.consoleToken("console.token", c.console.token);
        if (c.console.allowedHosts == null) {
            v.fail("console.allowedHosts", "must be a list (may be empty)");
        } else {
            for (int i = 0; i < c.console.allowedHosts.size(); i++) {
                String host = c.console.allowedHosts.get(i);
                if (host == null || !(host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?") || host.matches("\\[[0-9A-Fa-f:.]+]"))) {
                    v.fail("console.allowedHosts[" + i + "]", "must be a host name or IP address without scheme, port or "
                            + "wildcard (an IPv6 address in brackets), got '" + host + "'");
                }
            }
        }
        v.atLeast("priority.intervalSeconds", c.priority.intervalSeconds, 1);
        if (c.priority.worklist.configured()) {
            v.aeTitle("priority.worklist.aeTitle", c.priority.worklist.aeTitle);
            v.require("priority.worklist.host", c.priority.worklist.host);
            v.port("priority.worklist.port", c.priority.worklist.port);
            v.atLeast("priority.worklist.daysAhead", c.priority.worklist.daysAhead, 0);
        }
        v.throwIfAny();
        return c;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** Collects the first problem (one clear message beats a wall of them). */
    private static final class Validator {
        private ConfigException first;

        void fail(String key, String reason) {
            if (first == null) {
                first = new ConfigException(key, reason);
            }
        }

        void senders(String key, List<String> entries) {
            if (entries == null) {
                fail(key, "must be a list (may be empty)");
                return;
            }
            for (int i = 0; i < entries.size(); i++) {
                try {
                    AllowedSender.parse(entries.get(i));
                } catch (IllegalArgumentException e) {
                    fail(key + "[" + i + "]", e.getMessage());
                }
            }
        }

        void require(String key, Object value) {
            if (value == null || (value instanceof String s && s.isBlank())) {
                fail(key, "is required");
            }
        }

        void aeTitle(String key, String ae) {
            require(key, ae);
            if (ae != null && !ae.isBlank() && (ae.length() > 16 || ae.contains("\\") || !ae.equals(ae.strip()))) {
                fail(key, "AE title must be 1-16 characters without backslash or surrounding spaces, got '" + ae + "'");
            }
        }

        void port(String key, Integer port) {
            require(key, port);
            if (port != null && (port < 1 || port > 65535)) {
                fail(key, "port out of range 1-65535: " + port);
            }
        }

        /** A secret sent in an HTTP header: printable ASCII without spaces, long enough not to be guessed. */
        void consoleToken(String key, String token) {
            if (token == null) {
                return; // the console service requires it; the all-in-one run generates one
            }
            if (!token.matches("[\\x21-\\x7E]*")) {
                fail(key, "must be printable ASCII without spaces (it is sent in an HTTP header)");
            } else if (token.length() < MIN_TOKEN_LENGTH) {
                fail(key, "must be at least " + MIN_TOKEN_LENGTH + " characters (e.g. the output of `openssl rand -hex 32`), got "
                        + token.length());
            }
        }

        void atLeast(String key, int value, int min) {
            if (value < min) {
                fail(key, "must be at least " + min + ", got " + value);
            }
        }

        /**
         * The broker accepts session timeouts between its group.min.session.timeout.ms and
         * group.max.session.timeout.ms (6 s and 30 min by default) and rejects a member outside them when it joins,
         * long after the start; a heartbeat is only useful well inside the session timeout.
         */
        void groupMembership(MigrationConfig.Services s) {
            if (s.kafkaSessionTimeoutSeconds < 6 || s.kafkaSessionTimeoutSeconds > 1800) {
                fail("services.kafkaSessionTimeoutSeconds", "must be 6..1800 (the Kafka broker's default bounds), got "
                        + s.kafkaSessionTimeoutSeconds);
            }
            atLeast("services.kafkaHeartbeatSeconds", s.kafkaHeartbeatSeconds, 1);
            if (s.kafkaHeartbeatSeconds * 3 > s.kafkaSessionTimeoutSeconds) {
                fail("services.kafkaHeartbeatSeconds", "must be at most a third of services.kafkaSessionTimeoutSeconds ("
                        + s.kafkaSessionTimeoutSeconds + "), got " + s.kafkaHeartbeatSeconds);
            }
        }

        void associationPolicy(String key, MigrationConfig.AssociationPolicy p) {
            atLeast(key + ".maxAssociations", p.maxAssociations, 1);
            atLeast(key + ".minAssociations", p.minAssociations, 1);
            if (p.minAssociations > p.maxAssociations) {
                fail(key + ".minAssociations", "must not exceed " + key + ".maxAssociations");
            }
            atLeast(key + ".leaseTtlSeconds", p.leaseTtlSeconds, 1);
            if (p.pauseMillis < 0) {
                fail(key + ".pauseMillis", "must be at least 0, got " + p.pauseMillis);
            }
            windows(key, p.windows, p.timeZone);
        }

        /** Time windows and their zone (null = the machine's), as the schedules of every stage use them. */
        void windows(String key, List<String> windows, String timeZone) {
            ZoneId zone;
            try {
                zone = timeZone == null ? ZoneId.systemDefault() : ZoneId.of(timeZone);
            } catch (DateTimeException e) {
                fail(key + ".timeZone", "unknown time zone '" + timeZone + "'");
                return;
            }
            try {
                TimeWindows.parse(windows, zone);
            } catch (IllegalArgumentException e) {
                fail(key + ".windows", e.getMessage());
            }
        }

        /** DIMSE: as any PACS; DICOMweb: its service (aeTitle optional: it names the archive in leases and metrics). */
        void archive(String key, MigrationConfig.Pacs p) {
            if (p == null || !p.usesDicomWeb()) {
                pacs(key, p);
                if (p != null && !"dimse".equals(p.protocol)) {
                    fail(key + ".protocol", "must be dimse or dicomweb, got '" + p.protocol + "'");
                }
                return;
            }
            if (p.aeTitle == null) {
                p.aeTitle = "DICOMWEB";
            }
            aeTitle(key + ".aeTitle", p.aeTitle);
            if (p.dicomweb == null) {
                fail(key + ".dicomweb", "is required with protocol dicomweb (url, authentication, ...)");
                return;
            }
            dicomWeb(key + ".dicomweb", p.dicomweb);
        }

        /** C-MOVE (the default) or C-GET over DIMSE; WADO-RS (the only one) over DICOMweb. */
        void retrieveMethod(MigrationConfig.Pacs source) {
            if (source == null) {
                return;
            }
            boolean web = source.usesDicomWeb();
            if (source.retrieveMethod == null) {
                source.retrieveMethod = web ? MigrationConfig.RetrieveMethod.WADO_RS : MigrationConfig.RetrieveMethod.C_MOVE;
            } else if (web != (source.retrieveMethod == MigrationConfig.RetrieveMethod.WADO_RS)) {
                fail("source.retrieveMethod", web ? "must be WADO-RS (or left out) with source.protocol dicomweb, got '"
                        + label(source.retrieveMethod) + "'" : "WADO-RS needs source.protocol dicomweb (and source.dicomweb)");
            }
        }

        private static String label(MigrationConfig.RetrieveMethod m) {
            return m == MigrationConfig.RetrieveMethod.C_GET ? "C-GET" : "C-MOVE";
        }

        void dicomWeb(String key, MigrationConfig.DicomWeb w) {
            require(key + ".url", w.url);
            if (w.url != null && !w.url.isBlank()) {
                try {
                    URI url = new URI(w.url);
                    if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null
                            || url.getQuery() != null || url.getFragment() != null) {
                        fail(key + ".url", "must be an http or https URL of the DICOMweb service without query, e.g. "
                                + "https://archive.example/dicom-web, got '" + w.url + "'");
                    }
                } catch (URISyntaxException e) {
                    fail(key + ".url", "is not a URL: " + e.getMessage());
                }
            }
            switch (w.authentication == null ? "" : w.authentication) {
                case "none" -> {
                }
                case "basic" -> {
                    require(key + ".username", w.username);
                    require(key + ".password", w.password);
                    if (w.username != null && w.username.contains(":")) {
                        fail(key + ".username", "must not contain ':' (HTTP basic authentication)");
                    }
                }
                case "bearer" -> {
                    require(key + ".token", w.token);
                    if (w.token != null && !w.token.matches("[\\x21-\\x7E]*")) {
                        fail(key + ".token", "must be printable ASCII without spaces (it is sent in an HTTP header)");
                    }
                }
                default -> fail(key + ".authentication", "must be none, basic or bearer, got '" + w.authentication + "'");
            }
            if (w.trustStore != null) {
                try {
                    DicomWebEndpoint.loadTrustStore(Path.of(w.trustStore), w.trustStorePassword);
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    fail(key + ".trustStore", "cannot be read as a PKCS12 or JKS trust store with "
                            + key + ".trustStorePassword: " + e.getMessage());
                }
            }
            atLeast(key + ".maxRequestMb", w.maxRequestMb, 1);
            atLeast(key + ".requestTimeoutSeconds", w.requestTimeoutSeconds, 1);
            atLeast(key + ".qidoPageSize", w.qidoPageSize, 1);
        }

        void pacs(String key, MigrationConfig.Pacs p) {
            if (p == null) {
                fail(key, "is required (aeTitle, host, port)");
                return;
            }
            aeTitle(key + ".aeTitle", p.aeTitle);
            require(key + ".host", p.host);
            port(key + ".port", p.port);
        }

        void indexSchedule(MigrationConfig.Index i) {
            windows("index", i.windows, i.timeZone);
            atLeast("index.pauseMillis", (int) Math.min(Integer.MAX_VALUE, i.pauseMillis), 0);
            atLeast("index.minSplitMinutes", i.minSplitMinutes, 1);
            atLeast("index.maxAttempts", i.maxAttempts, 1);
            atLeast("index.retryBackoffSeconds", i.retryBackoffSeconds, 0);
            atLeast("index.catchUpDays", i.catchUpDays, 0);
            atLeast("index.catchUpIntervalMinutes", i.catchUpIntervalMinutes, 1);
            atLeast("index.controlIntervalHours", i.controlIntervalHours, 0);
            atLeast("index.maxControlPasses", i.maxControlPasses, 1);
            if (i.splitModalities == null) {
                fail("index.splitModalities", "must be a list (may be empty)");
            }
            if (i.patientIdPrefixes == null || i.patientIdPrefixes.isEmpty()) {
                fail("index.patientIdPrefixes", "must not be empty");
            }
        }

        void throwIfAny() {
            if (first != null) {
                throw first;
            }
        }
    }
}
