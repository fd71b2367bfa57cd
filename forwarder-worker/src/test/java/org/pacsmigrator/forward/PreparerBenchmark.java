package org.pacsmigrator.forward;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.pacsmigrator.cache.CachedObject;
import org.pacsmigrator.cache.FileSystemCache;
import org.pacsmigrator.cache.InstanceCache;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.forward.rules.RuleContext;
import org.pacsmigrator.forward.rules.RuleSet;
import org.pacsmigrator.forward.rules.RuleSetLoader;
import org.pacsmigrator.state.InstanceRecord;

/**
 * Micro-benchmark (not a test): CPU time per image of {@link InstancePreparer#prepare} over cached
 * images (no network, no state store), without rules and with one edit rule, and of the header read
 * a C-STORE of a file does when it is not told what the file holds. Thread CPU time, after warm-up.
 *
 * <p>Arguments: images (default 200), measured rounds (default 5).
 */
public final class PreparerBenchmark {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private PreparerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("preparer-bench");
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(7L, (images + 19) / 20, LocalDate.of(2022, 2, 2), 1, 1,
                20, 1);
        FileSystemCache cache = new FileSystemCache(dir.resolve("cache"));
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        List<InstanceRecord> instances = new ArrayList<>();
        for (SyntheticPacsGenerator.GeneratedStudy s : generator.plan().toList()) {
            for (Path f : generator.writeStudy(s, Files.createDirectories(dir.resolve("files").resolve(s.studyInstanceUid())))) {
                DicomFileInfo info = DicomFiles.readInfo(f);
                CachedObject o = cache.put(InstanceCache.keyFor(info.studyInstanceUid(), info.seriesInstanceUid(),
                        info.sopInstanceUid()), f);
                instances.add(new InstanceRecord(info.studyInstanceUid(), info.sopInstanceUid(), info.seriesInstanceUid(),
                        info.sopClassUid(), info.transferSyntaxUid(), o.sizeBytes(), o.sha256(), o.key(), Instant.now(),
                        null, null, null));
            }
        }
        Path rulesFile = dir.resolve("rules.yaml");
        Files.writeString(rulesFile, "rules:\n  - {name: one-edit, set: {InstitutionName: \"Migrated\"}}\n");
        RuleSet oneEdit = RuleSetLoader.load(rulesFile);
        long bytes = instances.stream().mapToLong(InstanceRecord::sizeBytes).sum();
        System.out.printf("%d images, %.2f MB each on average, %d rounds after %d warm-up rounds%n", instances.size(),
                bytes / 1e6 / instances.size(), rounds, rounds);
        System.out.println("| case | CPU µs per image |\n|---|---:|");
        for (Case c : cases(oneEdit, scratch)) {
            measure(c.name(), instances, cache, rounds, c.preparer());
        }
        // What a C-STORE that must learn SOP class and transfer syntax from the file reads before sending it.
        measure("C-STORE header read (DicomFiles.readInfo)", instances, cache, rounds, (i, cached) -> DicomFiles.readInfo(cached));
    }

    private record Case(String name, InstancePreparer preparer) {
    }

    private static List<Case> cases(RuleSet oneEdit, Path scratch) {
        return List.of(
                new Case("prepare, no rules, cacheCheck hash", new InstancePreparer(RuleSet.EMPTY, null, scratch, CacheCheck.HASH)),
                new Case("prepare, no rules, cacheCheck size", new InstancePreparer(RuleSet.EMPTY, null, scratch, CacheCheck.SIZE)),
                new Case("prepare, one edit rule, cacheCheck hash", new InstancePreparer(oneEdit, null, scratch, CacheCheck.HASH)),
                new Case("prepare, one edit rule, cacheCheck size", new InstancePreparer(oneEdit, null, scratch, CacheCheck.SIZE)));
    }

    private interface PerImage {
        void run(InstanceRecord instance, Path cached) throws Exception;
    }

    /** Every image once per round; the first {@code rounds} rounds warm up, the next are measured. */
    private static void measure(String name, List<InstanceRecord> instances, InstanceCache cache, int rounds, PerImage work)
            throws Exception {
        long measured = 0;
        for (int round = 0; round < 2 * rounds; round++) {
            long start = CPU.getCurrentThreadCpuTime();
            for (InstanceRecord i : instances) {
                work.run(i, cache.localCopy(i.cacheKey(), null));
            }
            measured += round < rounds ? 0 : CPU.getCurrentThreadCpuTime() - start;
        }
        System.out.printf("| %s | %.0f |%n", name, measured / 1e3 / instances.size() / rounds);
    }

    private static void measure(String name, List<InstanceRecord> instances, InstanceCache cache, int rounds,
                                InstancePreparer preparer) throws Exception {
        measure(name, instances, cache, rounds, (i, cached) -> {
            InstancePreparer.Prepared p = preparer.prepare(i, cached, new RuleContext(i.studyInstanceUid(), null, "OLDPACS"));
            if (p.rejected()) {
                throw new IllegalStateException(name + ": " + p.detail());
            }
            if (!p.file().equals(cached)) {
                Files.delete(p.file());
            }
        });
    }
}
