import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Services;
import org.pacsmigrator.harness.TestServices;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.IndexSettings;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.testsupport.SyntheticSeeding;
import org.pacsmigrator.throttle.AssociationGate;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/**
 * Studies indexed per second by the indexer (C-FIND, store in Cassandra, publish to Kafka) against
 * a plain DCMTK findscu loop over the same days (C-FIND only), on the same Orthanc, and the ratio.
 * Run through bench/indexer-bench.sh. Arguments: studies (3000), days (30), runs (3).
 */
public final class IndexerBench {
    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        LocalDate first = LocalDate.of(2022, 1, 1);
        Services services = TestServices.get(); // the PACSMIG_* services if set, else its own Kafka and Cassandra
        Path dir = Files.createTempDirectory("indexer-bench");
        try (OrthancServer orthanc = OrthancServer.start("BENCHPACS", dir.resolve("orthanc"), 0, 0,
                Map.of("migrator", new OrthancServer.Modality("MIGRATOR", "127.0.0.1", 1)), Map.of())) {
            DicomNode pacs = new DicomNode("BENCHPACS", "127.0.0.1", orthanc.dicomPort());
            DicomClient dicom = Dicom.client("MIGRATOR", DicomTimeouts.defaults());
            long t0 = System.nanoTime();
            seed(dicom, pacs, studies, first, days, dir);
            System.out.printf("seeded %d studies (small mode, 1 series x 1 instance) over %d days in %.1f s%n",
                    studies, days, (System.nanoTime() - t0) / 1e9);

            List<Double> ours = new ArrayList<>();
            List<Double> dcmtk = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                ours.add(indexer(services, dicom, pacs, first, days, studies, run));
                dcmtk.add(findscu(orthanc.dicomPort(), first, days, studies));
                System.out.printf("run %d: indexer %.0f studies/s, findscu loop %.0f studies/s%n", run + 1,
                        ours.get(run), dcmtk.get(run));
            }
            double a = median(ours);
            double b = median(dcmtk);
            System.out.printf("%nmedian over %d runs, %d studies, %d days:%n  indexer (C-FIND + Cassandra + Kafka): %.0f studies/s%n"
                    + "  findscu loop (C-FIND only, one process per day): %.0f studies/s%n  ratio indexer/findscu: %.2f%n",
                    runs, studies, days, a, b, a / b);
        }
        System.exit(0);
    }

    static void seed(DicomClient dicom, DicomNode pacs, int studies, LocalDate first, int days, Path dir) throws Exception {
        // 4 parallel senders, each a quarter of the studies (distinct seeds, same days)
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> sent = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            int share = studies / 4 + (p < studies % 4 ? 1 : 0);
            int part = p;
            SyntheticPacsGenerator generator = new SyntheticPacsGenerator(9000 + part, share, first, days, 1, 1, 50).small();
            sent.add(pool.submit(() -> SyntheticSeeding.sendTo(generator, dicom, pacs, dir.resolve("scratch-" + part))));
        }
        for (Future<Integer> f : sent) {
            f.get();
        }
        pool.shutdown();
    }

    static double indexer(Services services, DicomClient dicom, DicomNode pacs, LocalDate first, int days, int studies,
                          int run) throws Exception {
        String id = "bench" + Long.toHexString(System.nanoTime()).substring(6) + run;
        Topics topics = new Topics(id);
        KafkaSettings kafka = KafkaSettings.of(services.kafka().bootstrapServers(), "bench", 2);
        TopicAdmin.ensureTopics(kafka, topics.all());
        try (CassandraStateStore state = CassandraStateStore.open(services.cassandra().contactPoint(),
                services.cassandra().localDatacenter(), "pacsmig_" + id);
             KafkaEventPublisher publisher = new KafkaEventPublisher(kafka)) {
            IndexSettings settings = IndexSettings.defaults(first, first.plusDays(days - 1), false, 0).withUndated(false);
            Indexer indexer = new Indexer(dicom, AssociationGate.unlimited(pacs, 1), state, publisher, topics, settings, Clock.systemUTC(),
                    Sleeper.real(), IndexProgress.standalone());
            long t = System.nanoTime();
            Indexer.Summary s = indexer.run();
            double seconds = (System.nanoTime() - t) / 1e9;
            if (s.studiesFound() != studies || s.daysFailed() != 0) {
                throw new IllegalStateException("indexer found " + s);
            }
            return studies / seconds;
        }
    }

    static double findscu(int port, LocalDate first, int days, int studies) throws Exception {
        long t = System.nanoTime();
        int found = 0;
        for (int d = 0; d < days; d++) {
            String date = first.plusDays(d).format(DateTimeFormatter.BASIC_ISO_DATE);
            List<String> cmd = new ArrayList<>(List.of("findscu", "-S", "-aet", "MIGRATOR", "-aec", "BENCHPACS",
                    "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyDate=" + date));
            for (String key : List.of("StudyInstanceUID", "PatientID", "IssuerOfPatientID", "PatientName",
                    "PatientBirthDate", "PatientSex", "AccessionNumber", "StudyTime", "StudyDescription",
                    "ModalitiesInStudy", "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances",
                    "SpecificCharacterSet")) {
                cmd.add("-k");
                cmd.add(key);
            }
            cmd.add("-v");
            cmd.add("127.0.0.1");
            cmd.add(Integer.toString(port));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("TCP_NODELAY", "1");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("findscu failed: " + out);
            }
            found += (int) out.lines().filter(l -> l.contains("Find Response") && l.contains("Pending")).count();
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        if (found != studies) {
            throw new IllegalStateException("findscu found " + found + " of " + studies);
        }
        return studies / seconds;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
