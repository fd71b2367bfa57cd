package org.pacsmigrator.service;

import com.codahale.metrics.health.HealthCheck;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.state.StateStoreException;

/** Healthy when the state store (Cassandra) answers a trivial query. */
public final class StateStoreHealthCheck extends HealthCheck {
    private final StateStore state;

    public StateStoreHealthCheck(StateStore state) {
        this.state = state;
    }

    @Override
    protected Result check() {
        try {
            state.ping();
            return Result.healthy("state store answers");
        } catch (StateStoreException e) {
            return Result.unhealthy(e.getMessage());
        }
    }
}
