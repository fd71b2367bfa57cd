package org.pacsmigrator.migrator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.harness.OrthancServer;
import org.pacsmigrator.harness.Ports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Shows the product working in one command: starts two Orthancs as old and new PACS, seeds the
 * old one with synthetic studies, writes a migration config next to them and runs it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Starts an old and a new PACS (Orthanc), seeds the old one and migrates it.",
        exitCodeListHeading = "%nExit codes (those of run):%n", exitCodeList = {MigratorCli.EXIT_COMPLETE,
                MigratorCli.EXIT_INCOMPLETE, MigratorCli.EXIT_CONFIG_ERROR, MigratorCli.EXIT_INTERNAL_FAILURE})
final class DemoCommand implements Callable<Integer> {
    static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);

    @Option(names = "--dir", defaultValue = "demo-data", description = "where the PACS, data and config live")
    Path dir;
    @Mixin
    SyntheticDataOptions data;
    @Option(names = "--retrieve", defaultValue = "C-MOVE", description = "C-MOVE or C-GET")
    String retrieve;
    @Option(names = "--console-port", defaultValue = "0", description = "the web console's port (0: a free one, -1: none)")
    int consolePort;
    @Option(names = "--serve", description = "keep the web console up after the migration ended")
    boolean serve;
    @Mixin
    ProgressOptions progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // every option checked before an Orthanc starts
        data.check(spec);
        OptionValues.oneOf(spec, "--retrieve", retrieve, List.of("C-MOVE", "C-GET"));
        OptionValues.between(spec, "--console-port", consolePort, -1, 65535);
        dir = dir.toAbsolutePath();
        int migratorPort = Ports.freePort();
        Map<String, OrthancServer.Modality> known = Map.of("MIGRATOR", new OrthancServer.Modality("MIGRATOR", "127.0.0.1", migratorPort));
        try (OrthancServer oldPacs = OrthancServer.start("OLDPACS", dir.resolve("old-pacs"), known);
             OrthancServer newPacs = OrthancServer.start("NEWPACS", dir.resolve("new-pacs"), known)) {
            System.out.printf("old PACS %s, new PACS %s (Orthanc; web UI on the second port)%n", oldPacs.address(), newPacs.address());
            if (oldPacs.countInstances() == 0) {
                SyntheticPacsGenerator generator = new SyntheticPacsGenerator(data.seed, data.studies, FIRST_DAY, data.days,
                        data.series, data.instances, Math.max(1, data.studies / 3));
                int sent = GenerateCommand.send(generator, Dicom.client("GENERATOR", DicomTimeouts.defaults()),
                        new DicomNode(oldPacs.aeTitle(), oldPacs.host(), oldPacs.dicomPort()), Files.createTempDirectory("pacsmig-demo"));
                System.out.printf("seeded the old PACS with %d studies, %d instances%n", data.studies, sent);
            }
            Path configFile = dir.resolve("migration.yaml");
            Files.writeString(configFile, config(oldPacs, newPacs, migratorPort));
            System.out.println("migration config: " + configFile);
            return SingleMachine.run(ConfigLoader.load(configFile), System.out, serve, progress);
        }
    }

    private String config(OrthancServer oldPacs, OrthancServer newPacs, int migratorPort) {
        return """
                migrationId: demo
                source: {aeTitle: %s, host: %s, port: %d, retrieveMethod: %s}
                destination: {aeTitle: %s, host: %s, port: %d}
                migrator: {aeTitle: MIGRATOR, bindAddress: 127.0.0.1, port: %d}
                index: {from: %s, to: %s}
                storage: {dataDirectory: %s}
                console: {port: %d}
                """.formatted(oldPacs.aeTitle(), oldPacs.host(), oldPacs.dicomPort(), retrieve,
                newPacs.aeTitle(), newPacs.host(), newPacs.dicomPort(), migratorPort,
                FIRST_DAY, FIRST_DAY.plusDays(data.days - 1), dir.resolve("migration-data"), consolePort);
    }

}
