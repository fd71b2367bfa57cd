package org.pacsmigrator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.LocalDate;

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

    public enum RetrieveMethod {
        @JsonProperty("C-MOVE") C_MOVE,
        @JsonProperty("C-GET") C_GET
    }

    public static final class Pacs {
        public String aeTitle;
        public String host;
        public Integer port;
        /** Only for the source: how images are pulled. */
        public RetrieveMethod retrieveMethod = RetrieveMethod.C_MOVE;
    }

    public static final class Migrator {
        public String aeTitle = "MIGRATOR";
        /** Address the storage SCP binds to; loopback unless configured. */
        public String bindAddress = "127.0.0.1";
        public Integer port = 11112;
    }

    public static final class Index {
        public LocalDate from;
        public LocalDate to;
        /** newest-first or oldest-first. */
        public String order = "newest-first";
        /** A day whose C-FIND returns this many matches is treated as truncated (0 = no cap known). */
        public int findResultCap = 0;
    }

    public static final class Retrieve {
        /** Retrieve attempts per study before it fails with "missing instances". */
        public int maxAttempts = 3;
        /** How long to wait for late C-STOREs after a C-MOVE reported completion, in seconds. */
        public int arrivalGraceSeconds = 10;
        /** Query SERIES/IMAGE level for the expected SOP Instance UIDs before retrieving. */
        public boolean instanceManifest = true;
        /** Studies retrieved at the same time by this process (one association each). */
        public int concurrency = 1;
    }

    public static final class Forward {
        /** Instances sent per association. */
        public int batchSize = 50;
        /** Studies forwarded at the same time by this process (one association each). */
        public int concurrency = 2;
    }

    public static final class Verify {
        /** Attempts of the C-FIND verification before the study fails. */
        public int maxAttempts = 5;
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
    }

    public static final class Storage {
        /** Holds the embedded Kafka and Cassandra data, scratch files and, by default, the cache. */
        public String dataDirectory = "./migration-data";
        /** Cache of retrieved instances; defaults to {dataDirectory}/cache. */
        public String cacheDirectory;
    }

    public static final class Services {
        /** "embedded" (default) or the Kafka bootstrap servers, e.g. kafka-0:9092. */
        public String kafka = "embedded";
        /** "embedded" (default) or a Cassandra contact point host:port. */
        public String cassandra = "embedded";
        public String cassandraDatacenter = "datacenter1";
        /** Partitions of each topic: the upper bound of parallel consumers per stage. */
        public int partitions = 6;
    }
}
