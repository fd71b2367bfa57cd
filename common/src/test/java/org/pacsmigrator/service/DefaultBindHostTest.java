package org.pacsmigrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker services' HTTP connectors (application and admin: /tasks, /healthcheck, /prometheus)
 * listen on loopback unless configured: Dropwizard's own default is every interface.
 */
class DefaultBindHostTest {
    @Test
    void connectorsWithoutABindHostGetTheDefaultOnesWithOneKeepIt() {
        DefaultServerFactory factory = new DefaultServerFactory();
        HttpConnectorFactory chosen = new HttpConnectorFactory();
        chosen.setBindHost("10.0.0.5");
        factory.setApplicationConnectors(List.of(new HttpConnectorFactory(), chosen));
        assertThat(new WorkerConfiguration().defaultBindHost).isEqualTo("127.0.0.1");
        WorkerApplication.bindToDefaultHost(factory, new WorkerConfiguration().defaultBindHost);
        assertThat(factory.getApplicationConnectors()).extracting(c -> ((HttpConnectorFactory) c).getBindHost())
                .containsExactly("127.0.0.1", "10.0.0.5");
        assertThat(factory.getAdminConnectors()).isNotEmpty()
                .allSatisfy(c -> assertThat(((HttpConnectorFactory) c).getBindHost()).isEqualTo("127.0.0.1"));

        SimpleServerFactory simple = new SimpleServerFactory();
        WorkerApplication.bindToDefaultHost(simple, "127.0.0.1");
        assertThat(((HttpConnectorFactory) simple.getConnector()).getBindHost()).isEqualTo("127.0.0.1");
    }
}
