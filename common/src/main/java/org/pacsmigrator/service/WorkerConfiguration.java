package org.pacsmigrator.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;

/**
 * The Dropwizard configuration of a worker service: Dropwizard's own keys ({@code server},
 * {@code logging}, ...) plus the path of the migration's YAML, which every worker of a migration
 * shares. Connectors without a {@code bindHost} are bound to 127.0.0.1 (see {@link WorkerApplication}).
 */
public class WorkerConfiguration extends Configuration {
    /** Path of the migration config (the file the {@code run} command takes; README "Configuration reference"). */
    @JsonProperty
    public String migrationConfig;

    /** Bind address for connectors that do not name one: loopback unless configured. */
    @JsonProperty
    public String defaultBindHost = "127.0.0.1";
}
