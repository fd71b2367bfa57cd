package org.pacsmigrator.migrator;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The shape of a synthetic data set, shared by {@code generate} and {@code demo}. */
final class SyntheticDataOptions {
    @Option(names = "--studies", defaultValue = "20", description = "how many studies")
    int studies;
    @Option(names = "--days", defaultValue = "7", description = "studies are spread over this many days")
    int days;
    @Option(names = "--series", defaultValue = "3", description = "series per study")
    int series;
    @Option(names = "--instances", defaultValue = "5", description = "instances per series")
    int instances;
    @Option(names = "--seed", defaultValue = "42", description = "the same seed gives the same studies (UIDs, names, pixels)")
    long seed;

    /** Rejects a shape that makes no study, before anything starts. */
    void check(CommandSpec spec) {
        OptionValues.atLeast(spec, "--studies", studies, 1);
        OptionValues.atLeast(spec, "--days", days, 1);
        OptionValues.atLeast(spec, "--series", series, 1);
        OptionValues.atLeast(spec, "--instances", instances, 1);
    }
}
