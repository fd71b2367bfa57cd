package org.pacsmigrator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The migration's YAML configuration. Field names are the YAML keys; defaults are the embedded
 * single-machine setup. Validated by {@link ConfigLoader}; see README "Configuration reference".
 */
public final class MigrationConfig {
    /** Names the Cassandra keyspace and prefixes the Kafka topics: one per migration. */
    public String migrationId;
    /** The old PACS (source). */
    public Pacs source;
    /** The new PACS (destination). */
    public Pacs destination;
    /** The migrator's own AE: C-MOVE destination and calling AE title. */
    public Migrator migrator = new Migrator();
    public Index index = new Index();
    public Retrieve retrieve = new Retrieve();
    public Forward forward = new Forward();
    public Verify verify = new Verify();
    public Storage storage = new Storage();
    public Services services = new Services();
    public Console console = new Console();
    public Priority priority = new Priority();

    public enum RetrieveMethod {
        @JsonProperty("C-MOVE") C_MOVE,
        @JsonProperty("C-GET") C_GET,
        /** A DICOMweb source's: each study, series or image fetched as a multipart answer (source.protocol dicomweb). */
        @JsonProperty("WADO-RS") WADO_RS
    }

    public static final class Pacs {
        public String aeTitle;
        public String host;
        public Integer port;
        /** Only for the source: how images are pulled; unset: C-MOVE over DIMSE, WADO-RS over DICOMweb. */
        public RetrieveMethod retrieveMethod;
        /**
         * dimse (default) or dicomweb: a DICOMweb source is indexed by QIDO-RS and retrieved by WADO-RS, a DICOMweb
         * destination stored in by STOW-RS and verified by QIDO-RS.
         */
        public String protocol = "dimse";
        /** With protocol dicomweb: the archive's DICOMweb service (aeTitle then only names it in leases and metrics). */
        public DicomWeb dicomweb;

        public boolean usesDicomWeb() {
            return "dicomweb".equals(protocol);
        }
    }

    /** A DICOMweb service: where it is, how we authenticate, which TLS certificates we trust. */
    public static final class DicomWeb {
        /** Base URL, e.g. https://archive.example/dicom-web: STOW-RS posts to {url}/studies. */
        public String url;
        /** none, basic (username, password) or bearer (token); secrets as ${ENV_VAR}. */
        public String authentication = "none";
        public String username;
        public String password;
        public String token;
        /** PKCS12 or JKS trust store for the service's TLS certificate; absent: the JVM's trusted authorities. */
        public String trustStore;
        public String trustStorePassword;
        /** Most bytes of images in one STOW-RS request: a batch of forward.batchSize is split further by it. */
        public int maxRequestMb = 64;
        /** Seconds a request may take before it counts as timed out. */
        public int requestTimeoutSeconds = 300;
        /** Matches asked per QIDO-RS page (limit/offset): of a day's studies when indexing, of a study's instances. */
        public int qidoPageSize = 1000;
    }

    public static final class Migrator {
        public String aeTitle = "MIGRATOR";
        /** Address the storage SCP binds to; loopback unless configured. */
        public String bindAddress = "127.0.0.1";
        public Integer port = 11112;
        /**
         * Who may send to the storage SCP: "AE", "AE@host" or "AE@network/prefix" ("*" for any AE title).
         * Empty (the default): the source PACS's AE title, from any address.
         */
        public List<String> allowedSenders = new ArrayList<>();
        /** Simultaneous associations the storage SCP serves; above it, transient rejection at once. */
        public int maxAssociations = 16;
        /** Seconds a connection may take to complete its association request (the ARTIM timer). */
        public int artimSeconds = 10;
        /** Seconds an association may stay idle before it is aborted. */
        public int idleTimeoutSeconds = 120;

        /** The senders allowed, the source's AE title when none are configured. */
        public List<String> allowedSendersOr(String sourceAeTitle) {
            return allowedSenders.isEmpty() ? List.of(sourceAeTitle) : allowedSenders;
        }
    }

    public static final class Index {
        public LocalDate from;
        public LocalDate to;
        /** newest-first or oldest-first. */
        public String order = "newest-first";
        /** A day whose C-FIND returns this many matches is treated as truncated (0 = no cap known). */
        public int findResultCap = 0;
        /** Daily windows in which the old PACS may be queried, e.g. "MON-FRI 19:00-07:00"; empty = always. */
        public List<String> windows = new ArrayList<>();
        /** Time zone of the windows (and of "today" for catch-up); default: the machine's zone. */
        public String timeZone = ZoneId.systemDefault().getId();
        /** Pause between two C-FIND requests, in milliseconds. */
        public long pauseMillis = 0;
        /** Capped queries are split by StudyTime down to spans of this many minutes, then by modality. */
        public int minSplitMinutes = 15;
        /** Modalities (ModalitiesInStudy values) queried one by one when a time span cannot be split further. */
        public List<String> splitModalities = new ArrayList<>(List.of(
                "CT", "MR", "CR", "DX", "US", "MG", "NM", "PT", "XA", "RF", "OT", "SC", "SR", "KO", "PR", "SEG",
                "RTSTRUCT", "RTPLAN", "RTDOSE", "RTIMAGE", "ES", "XC", "IO", "PX", "DOC", "ECG", "OP", "OCT", "BMD"));
        /** Attempts per query when the PACS refuses, times out or fails. */
        public int maxAttempts = 3;
        /** Back-off before the first retry (doubles per attempt), in seconds. */
        public int retryBackoffSeconds = 5;
        /** Also find studies without a StudyDate (a separate pass, see README). */
        public boolean undatedStudies = true;
        /** First characters of PatientID used to split the undated pass when it is capped. */
        public String patientIdPrefixes = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        /** Catch-up mode: re-index the last N days (up to today) every catchUpIntervalMinutes; 0 = off. */
        public int catchUpDays = 0;
        public int catchUpIntervalMinutes = 60;
        /** Control query of every indexed day of the range every N hours; 0 = only on demand. */
        public int controlIntervalHours = 0;
        /**
         * {@code run}: control passes before it may say COMPLETE; each one that finds studies to migrate is
         * followed by their migration and another pass, up to this many (an old PACS that keeps receiving
         * studies for indexed days would otherwise keep the run going forever).
         */
        public int maxControlPasses = 3;
        /** Where control reports are written; default {dataDirectory}/reports. */
        public String reportDirectory;
    }

    /**
     * How workers may use a remote PACS, shared by retrieving (old PACS) and forwarding (new PACS):
     * a global association limit across all workers, adaptive back-off, pauses and time windows.
     */
    public static class AssociationPolicy {
        /** Simultaneous associations to the PACS across ALL workers (leases in Cassandra). */
        public int maxAssociations = 2;
        /** Lowest limit the adaptive throttling may back off to. */
        public int minAssociations = 1;
        /** A lease of a crashed worker is freed after this many seconds (renewed while held). */
        public int leaseTtlSeconds = 30;
        /** Pause after each association, per worker thread, in milliseconds. */
        public long pauseMillis = 0;
        /** Allowed windows, e.g. "Mon-Fri 19:00-07:00", "Sat-Sun 00:00-24:00"; empty = always. */
        public List<String> windows = new ArrayList<>();
        /** Time zone of the windows (IANA id); the system's by default. */
        public String timeZone;

        AssociationPolicy(int maxAssociations) {
            this.maxAssociations = maxAssociations;
        }
    }

    public static final class Retrieve extends AssociationPolicy {
        public Retrieve() {
            super(2);
        }

        /** Retrieve attempts per study before it fails with "missing instances". */
        public int maxAttempts = 3;
        /** How long to wait for late C-STOREs after a C-MOVE reported completion, in seconds. */
        public int arrivalGraceSeconds = 10;
        /** Query SERIES/IMAGE level for the expected SOP Instance UIDs before retrieving. */
        public boolean instanceManifest = true;
        /** Studies retrieved at the same time by this process (one association each). */
        public int concurrency = 1;
    }

    public static final class Forward extends AssociationPolicy {
        public Forward() {
            super(4);
        }

        /** Instances sent per association. */
        public int batchSize = 50;
        /** Associations used at once to send one study's batches. */
        public int associations = 2;
        /** Studies forwarded at the same time by this process (one association each). */
        public int concurrency = 2;
        /**
         * What to do when a PatientID is used with different demographics across studies, or the
         * images of a study disagree: "stop" the study (category "patient ID conflict") or "send"
         * it as is (the conflict is recorded per instance).
         */
        public String patientIdConflict = "stop";
        /**
         * Transfer syntax conversions allowed when the new PACS does not accept an image's own:
         * {from: <UID or "*">, to: <uncompressed UID>}. Without one, such an image fails as
         * "transfer syntax not accepted"; nothing is ever converted silently.
         */
        public List<Conversion> transferSyntaxConversions = new ArrayList<>();
        /** Optional YAML file of validation/modification rules applied to every image (README "Rules"). */
        public String rulesFile;
        /**
         * How a cached image sent unedited is checked against its receipt: "hash" (SHA-256 read again in full)
         * or "size" (its size; the receipt hash is trusted). Edited images are always hashed while being read.
         */
        public String cacheCheck = "hash";
    }

    public static final class Conversion {
        public String from;
        public String to;
    }

    public static final class Verify {
        /** Attempts of the C-FIND verification before the study fails. */
        public int maxAttempts = 5;
        /**
         * The new PACS's C-FIND result limit, if known (as index.findResultCap for the old one): an answer with this
         * many matches counts as truncated and is split, in the verification and the report (0 = none known).
         */
        public int findResultCap = 0;
        public int retryDelaySeconds = 2;
        /**
         * When a study counts as complete: "sent" (every retrieved instance stored), "sent-and-cfind"
         * (and listed by the new PACS at IMAGE level) or "sent-and-committed" (and committed by Storage Commitment).
         */
        public String completion = "sent-and-cfind";
        /** With sent-and-committed: also check by C-FIND (double check). */
        public boolean cfindDoubleCheck = false;
        public Commitment commitment = new Commitment();
    }

    /** Storage Commitment Push Model (verify.completion: sent-and-committed). */
    public static final class Commitment {
        /** Our AE for commitment requests and reports; the new PACS must know it (title, host, port). */
        public String aeTitle = "MIGRATOR_SC";
        /** Port of the report listener (the PACS opens a new association to it). */
        public Integer port = 11113;
        /** How long to wait for the N-EVENT-REPORT of a request before asking again. */
        public int timeoutSeconds = 60;
        /** Requests per study (the first plus retries) before it is dead-lettered as "commitment timeout". */
        public int maxRequests = 3;
        /** How long to keep the request's association open for a report on it. */
        public int sameAssociationWaitMillis = 500;
        /** Who may report (entries as migrator.allowedSenders); empty: the new PACS's AE title. */
        public List<String> allowedSenders = new ArrayList<>();
    }

    public static final class Storage {
        /** Holds the embedded Kafka and Cassandra data, scratch files and, by default, the cache. */
        public String dataDirectory = "./migration-data";
        /** Cache of retrieved instances; defaults to {dataDirectory}/cache. Same as cache.directory. */
        public String cacheDirectory;
        /** The cache: filesystem (default) or S3-compatible object storage. */
        public Cache cache = new Cache();
    }

    public static final class Cache {
        /** filesystem or s3. */
        public String type = "filesystem";
        /** filesystem: the directory (overrides storage.cacheDirectory). */
        public String directory;
        /** s3: endpoint URL of an S3-compatible store; empty for AWS S3 itself. */
        public String endpoint;
        public String region = "us-east-1";
        public String bucket;
        /** s3: key prefix, e.g. "migration-1/". */
        public String prefix = "";
        /** s3: path-style addressing (most S3-compatible stores need it). */
        public boolean pathStyle = true;
        /** s3: credentials; when absent the AWS default chain (AWS_ACCESS_KEY_ID, ...) is used. */
        public String accessKeyId;
        public String secretAccessKey;
        /** s3: create the bucket when it does not exist. */
        public boolean createBucket = false;
        /** s3: objects of at least this many MiB are uploaded in parts. */
        public int multipartThresholdMb = 64;
        public int partSizeMb = 16;
    }

    public static final class Services {
        /** "embedded" (default) or the Kafka bootstrap servers, e.g. kafka-0:9092. */
        public String kafka = "embedded";
        /** "embedded" (default) or a Cassandra contact point host:port. */
        public String cassandra = "embedded";
        public String cassandraDatacenter = "datacenter1";
        /** Partitions of each topic: the upper bound of parallel consumers per stage. */
        public int partitions = 6;
        /**
         * A worker that dies without leaving (kill -9, a lost node) keeps its partitions this long before the
         * other workers of its stage take them over; a worker stopped with SIGTERM leaves at once.
         */
        public int kafkaSessionTimeoutSeconds = 10;
        /** How often a consumer tells Kafka it is alive: at most a third of the session timeout. */
        public int kafkaHeartbeatSeconds = 3;
    }

    /** The web console and REST API of the all-in-one run (the distributed deployment runs ConsoleApplication). */
    public static final class Console {
        /** HTTP port; 0 picks a free one (printed at start), -1 turns the console off. */
        public int port = 8090;
        /** Loopback by default: the console can replay and pause, so expose it deliberately. */
        public String bindAddress = "127.0.0.1";
        /**
         * The secret every request to {@code /api} must carry ({@code Authorization: Bearer <token>}),
         * e.g. {@code ${PACSMIG_CONSOLE_TOKEN}} from the environment. Required by the console service;
         * the all-in-one run generates one when it is absent.
         */
        public String token;
        /**
         * Host names (besides localhost, 127.0.0.1, [::1] and bindAddress) under which browsers reach the
         * console, e.g. the name of a reverse proxy in front of it; any other Host header is refused.
         */
        public List<String> allowedHosts = new ArrayList<>();
    }

    /** Patients whose studies go before the bulk (README "Clinical priority"). */
    public static final class Priority {
        /**
         * "Migrate now" (console, REST) works outside the time windows too: its query of the old PACS (index.windows)
         * and its studies' retrieve, forward and verification (retrieve.windows, forward.windows); the worklist and
         * the list do not.
         */
        public boolean outsideWindows = false;
        /** A CSV file of patients to put first (lines "patient,<PatientID>" or "accession,<AccessionNumber>"); empty = none. */
        public String listFile = "";
        /** Seconds between two worklist queries and two readings of the list file. */
        public int intervalSeconds = 900;
        /** The RIS / worklist SCP asked for tomorrow's patients; no AE title = no worklist. */
        public Worklist worklist = new Worklist();
    }

    public static final class Worklist {
        public String aeTitle;
        public String host;
        public Integer port;
        /** Procedures scheduled from today to this many days ahead. */
        public int daysAhead = 2;

        public boolean configured() {
            return aeTitle != null && !aeTitle.isBlank();
        }
    }
}
