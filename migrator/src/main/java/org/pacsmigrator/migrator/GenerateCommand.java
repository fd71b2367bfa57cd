package org.pacsmigrator.migrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomException;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.DicomUpload;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Fills a PACS with deterministic synthetic studies (C-STORE), for demos, tests and benchmarks. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "C-STOREs synthetic studies (deterministic by seed) into a PACS.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:every study stored", MigratorCli.EXIT_CONFIG_ERROR,
                MigratorCli.EXIT_INTERNAL_FAILURE})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--to", required = true, converter = OptionValues.PacsAddress.class, description = "the PACS: AE@host:port")
    DicomNode to;
    @Mixin
    SyntheticDataOptions data;
    @Option(names = "--first-day", defaultValue = "2024-01-01", description = "the first study date (ISO)")
    LocalDate firstDay;
    @Option(names = "--patients", defaultValue = "8", description = "the studies belong to this many patients")
    int patients;
    @Option(names = "--calling-ae", defaultValue = "GENERATOR", description = "our AE title toward the PACS")
    String callingAe;
    @Option(names = "--small", description = "16x16 images and no extra secondary capture: many studies, little data")
    boolean small;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        data.check(spec);
        OptionValues.atLeast(spec, "--patients", patients, 1);
        DicomClient client = Dicom.client(callingAe, DicomTimeouts.defaults());
        try {
            client.echo(to);
        } catch (DicomException e) {
            throw OptionValues.invalid(spec, "--to", Preflight.unreachable(to, callingAe, e));
        }
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(data.seed, data.studies, firstDay, data.days, data.series,
                data.instances, patients);
        if (small) {
            generator = generator.small();
        }
        Path scratch = Files.createTempDirectory("pacsmig-generate");
        int sent = send(generator, client, to, scratch);
        System.out.printf("generated %d studies, %d instances into %s%n", data.studies, sent, to);
        return 0;
    }

    /** C-STOREs the generated studies one at a time; returns the number of instances stored, throws if any was not. */
    static int send(SyntheticPacsGenerator generator, DicomClient client, DicomNode pacs, Path scratch)
            throws IOException, DicomException {
        DicomUpload upload = new DicomUpload(client, pacs);
        generator.forEachStudyFiles(scratch, (study, files) -> upload.store(files));
        return upload.storedOrThrow();
    }
}
