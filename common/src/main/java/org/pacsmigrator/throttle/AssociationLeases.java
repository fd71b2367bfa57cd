package org.pacsmigrator.throttle;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.pacsmigrator.schedule.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A global limit on simultaneous associations per remote AE, shared by every worker of a migration
 * through Cassandra. A remote AE with limit N has N slots; holding an association means holding
 * a slot's row, taken with a lightweight transaction ({@code INSERT ... IF NOT EXISTS USING TTL}).
 * The row is deleted on release (conditionally on the holder) and renewed while held; when a
 * worker dies, its row expires after the TTL, so a crash never leaks a slot for longer than that.
 * With {@link #keepingIdle} a slot given back stays this worker's for a moment and serves its next
 * association without a round of lightweight transactions.
 *
 * <p>A caller may ask with a lower limit than the configured maximum (adaptive throttling): it then
 * only competes for the lowest slots, so the number of associations never exceeds the largest
 * limit any worker currently asks with.
 */
public final class AssociationLeases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AssociationLeases.class);
    private static final Backoff POLL_BACKOFF = Backoff.ofMillis(50, 1_000);

    /**
     * The lease table, created by each lease manager next to its statements (the TTL is part of them), in
     * the state store's keyspace; not in the state store's schema, which knows nothing of leases.
     */
    static String table(String keyspace) {
        return "CREATE TABLE IF NOT EXISTS " + keyspace + ".association_leases ("
                + " remote_ae text, slot int, holder text, acquired_at timestamp, PRIMARY KEY ((remote_ae), slot))";
    }

    private final CqlSession session;
    private final String holderPrefix;
    private final Duration ttl;
    private final PreparedStatement acquire;
    private final PreparedStatement renew;
    private final PreparedStatement release;
    private final PreparedStatement holders;
    private final ScheduledExecutorService renewer;
    /** Slots given back but kept a moment for this worker's next association, per remote AE. */
    private final Map<String, Deque<Slot>> idle = new ConcurrentHashMap<>();
    private volatile Duration keepIdle = Duration.ZERO;
    private volatile Duration maxReuse = Duration.ZERO;

    /** A slot this worker holds (its row): renewed while held, in use or kept idle for reuse. */
    private final class Slot {
        private final String remoteAe;
        private final int slot;
        private final String holder;
        private final long takenAt = System.nanoTime();
        private volatile ScheduledFuture<?> renewal;
        private volatile boolean lost;
        private volatile long idleSince;

        private Slot(String remoteAe, int slot, String holder) {
            this.remoteAe = remoteAe;
            this.slot = slot;
            this.holder = holder;
        }

        private void renew() {
            try {
                ResultSet rs = session.execute(renew.bind(holder, Instant.now(), remoteAe, slot, holder)
                        .setTimeout(Duration.ofSeconds(10)));
                if (!rs.wasApplied()) {
                    lost = true;
                    LOG.warn("lease {}#{} of {} was lost (expired and taken by another worker)", remoteAe, slot, holder);
                    renewal.cancel(false);
                }
            } catch (RuntimeException e) {
                LOG.warn("renewal of lease {}#{} failed: {}", remoteAe, slot, e.toString());
            }
        }

        private void stopRenewing() {
            if (renewal != null) {
                renewal.cancel(false);
            }
        }

        private void release() {
            stopRenewing();
            try {
                session.execute(release.bind(remoteAe, slot, holder).setTimeout(Duration.ofSeconds(10)));
            } catch (RuntimeException e) {
                // Not released now: the TTL frees it.
                LOG.warn("release of lease {}#{} failed, it expires within {}: {}", remoteAe, slot, ttl, e.toString());
            }
        }
    }

    /** One association's hold on a slot. Closing gives the slot back (idempotent). */
    public final class Lease implements AutoCloseable {
        private final Slot slot;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(Slot slot) {
            this.slot = slot;
        }

        public String remoteAe() {
            return slot.remoteAe;
        }

        public int slot() {
            return slot.slot;
        }

        /** True when a renewal found the slot taken by someone else (e.g. after a long pause). */
        public boolean lost() {
            return slot.lost;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                giveBack(slot);
            }
        }

        /** Test hook: stops renewing and forgets the lease without releasing it, like a killed worker. */
        public void abandon() {
            released.set(true);
            slot.stopRenewing();
        }
    }

    /**
     * @param workerId names this worker in the lease rows (diagnostics); each lease adds a random suffix
     * @param ttl how long a lease survives its holder's death; renewed every ttl/3 while held
     */
    public AssociationLeases(CqlSession session, String keyspace, String workerId, Duration ttl) {
        if (ttl.toSeconds() < 1) {
            throw new IllegalArgumentException("lease TTL must be at least one second: " + ttl);
        }
        this.session = session;
        this.holderPrefix = workerId;
        this.ttl = ttl;
        session.execute(SimpleStatement.newInstance(table(keyspace)).setTimeout(Duration.ofSeconds(60)));
        int ttlSeconds = (int) ttl.toSeconds();
        acquire = session.prepare("INSERT INTO " + keyspace + ".association_leases (remote_ae, slot, holder, acquired_at)"
                + " VALUES (?, ?, ?, ?) IF NOT EXISTS USING TTL " + ttlSeconds);
        renew = session.prepare("UPDATE " + keyspace + ".association_leases USING TTL " + ttlSeconds
                + " SET holder = ?, acquired_at = ? WHERE remote_ae = ? AND slot = ? IF holder = ?");
        release = session.prepare("DELETE FROM " + keyspace + ".association_leases"
                + " WHERE remote_ae = ? AND slot = ? IF holder = ?");
        holders = session.prepare("SELECT slot, holder FROM " + keyspace + ".association_leases WHERE remote_ae = ?");
        renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-renewer-" + workerId);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Keeps a slot given back for {@code keepIdle} and hands it to this worker's next association
     * toward the same AE without a lightweight transaction (two fewer LWTs per association, the
     * largest share of the state store's work per study). A slot is re-competed for (released and
     * taken again) once it has been held for {@code maxReuse}, so that other workers get their turn.
     */
    public AssociationLeases keepingIdle(Duration keepIdle, Duration maxReuse) {
        this.keepIdle = keepIdle;
        this.maxReuse = maxReuse;
        return this;
    }

    /**
     * Takes one of the first {@code limit} slots of {@code remoteAe}, waiting (with jittered polling)
     * up to {@code maxWait} until one is free. Returns null when none became free in time.
     */
    public Lease acquire(String remoteAe, int limit, Duration maxWait) throws InterruptedException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        for (int misses = 1; ; misses++) {
            Lease lease = tryAcquire(remoteAe, limit);
            if (lease != null) {
                return lease;
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
            long pollMillis = POLL_BACKOFF.after(misses).toMillis();
            long sleep = Math.min(pollMillis + ThreadLocalRandom.current().nextLong(pollMillis),
                    Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            Thread.sleep(sleep);
        }
    }

    /** One pass over the slots (an idle one of this worker's first); null when all of the first {@code limit} are held. */
    public Lease tryAcquire(String remoteAe, int limit) {
        Slot reused = takeIdle(remoteAe, limit);
        if (reused != null) {
            return new Lease(reused);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            order.add(i);
        }
        // Start at a random slot so that competing workers do not all fight for slot 0 first.
        Collections.rotate(order, ThreadLocalRandom.current().nextInt(limit));
        for (int slot : order) {
            String holder = holderPrefix + "/" + UUID.randomUUID();
            ResultSet rs = session.execute(acquire.bind(remoteAe, slot, holder, Instant.now())
                    .setTimeout(Duration.ofSeconds(10)));
            if (rs.wasApplied()) {
                Slot taken = new Slot(remoteAe, slot, holder);
                long period = Math.max(200, ttl.toMillis() / 3);
                taken.renewal = renewer.scheduleAtFixedRate(taken::renew, period, period, TimeUnit.MILLISECONDS);
                return new Lease(taken);
            }
        }
        return null;
    }

    /** An idle slot of this worker below {@code limit} (the adaptive limit may have dropped), removed from the pool. */
    private Slot takeIdle(String remoteAe, int limit) {
        Deque<Slot> slots = idle.get(remoteAe);
        if (slots == null) {
            return null;
        }
        for (Slot s : slots) {
            if (s.slot < limit && !s.lost && slots.remove(s)) {
                return s;
            }
        }
        return null;
    }

    private void giveBack(Slot s) {
        Duration keep = keepIdle;
        if (keep.isZero() || s.lost || System.nanoTime() - s.takenAt > maxReuse.toNanos() || renewer.isShutdown()) {
            s.release();
            return;
        }
        long stamp = System.nanoTime();
        s.idleSince = stamp;
        idle.computeIfAbsent(s.remoteAe, k -> new ConcurrentLinkedDeque<>()).push(s);
        try {
            renewer.schedule(() -> expireIdle(s, stamp), keep.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            expireIdle(s, stamp);
        }
    }

    /** Releases the slot if it is still idle since {@code stamp} (not taken again meanwhile). */
    private void expireIdle(Slot s, long stamp) {
        Deque<Slot> slots = idle.get(s.remoteAe);
        if (s.idleSince == stamp && slots != null && slots.remove(s)) {
            s.release();
        }
    }

    /** Slots currently held for {@code remoteAe} (slot → holder), for diagnostics and tests. */
    public List<String> holders(String remoteAe) {
        List<String> out = new ArrayList<>();
        session.execute(holders.bind(remoteAe)).forEach(r -> out.add(r.getInt("slot") + "=" + r.getString("holder")));
        return out;
    }

    public Duration ttl() {
        return ttl;
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        for (Deque<Slot> slots : idle.values()) {
            for (Slot s; (s = slots.poll()) != null; ) {
                s.release();
            }
        }
    }
}
