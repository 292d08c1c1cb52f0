package io.flinkpersist.e2e.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The most heap in use right after a garbage collection during a window (one benchmark case), from the JVM's GC
 * notifications: the heap pools' usage after each collection, summed. That is what the collector could not free:
 * the live objects, plus old-generation garbage a young collection does not look at. The pools' peak usage would
 * mostly say how far the collector let the young generation grow before collecting it.
 *
 * <p>Notifications come on a JVM thread, after the collection. Each collection has an id, its collector's count of
 * collections; a window holds those counted after its start and up to its stop, and {@link #stop} waits until all
 * of those have been delivered. (Their start times would not do: they are on another clock than the JVM's uptime.)
 */
final class HeapAfterGc implements NotificationListener, AutoCloseable {
    private static final long DELIVERY_TIMEOUT_MILLIS = 10_000;

    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    /** Per collector, the id of the last collection whose notification came (or that came before listening). */
    private final Map<String, Long> delivered = new HashMap<>();
    /** Per collector, the window holds the collections with ids above these... */
    private final Map<String, Long> windowAfter = new HashMap<>();
    /** ...and up to these, once the window is stopped. */
    private final Map<String, Long> windowUpTo = new HashMap<>();
    private long peakBytes;
    private int collections;

    private HeapAfterGc() {}

    /** Listens to every collector of this JVM until closed. */
    static HeapAfterGc listen() {
        HeapAfterGc listener = new HeapAfterGc();
        synchronized (listener) {
            for (GarbageCollectorMXBean collector : listener.collectors) {
                ((NotificationEmitter) collector).addNotificationListener(listener, null, null);
                listener.delivered.put(collector.getName(), collector.getCollectionCount());
            }
        }
        return listener;
    }

    /** Opens a window: collects first, so that what the previous one left is not counted in this one. */
    void start() {
        System.gc();
        synchronized (this) {
            for (GarbageCollectorMXBean collector : collectors) {
                windowAfter.put(collector.getName(), collector.getCollectionCount());
            }
            windowUpTo.clear();
            peakBytes = 0;
            collections = 0;
        }
    }

    /** Closes the window once every collection in it was delivered; the peak is empty if there was none. */
    synchronized Peak stop() throws InterruptedException {
        for (GarbageCollectorMXBean collector : collectors) {
            windowUpTo.put(collector.getName(), collector.getCollectionCount());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DELIVERY_TIMEOUT_MILLIS);
        while (collectors.stream().anyMatch(c -> delivered.get(c.getName()) < windowUpTo.get(c.getName()))) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new IllegalStateException("the notifications of the window's collections did not come");
            }
            wait(left);
        }
        return new Peak(peakBytes, collections);
    }

    @Override
    public synchronized void handleNotification(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        String collector = info.getGcName();
        long id = info.getGcInfo().getId();
        if (id > windowAfter.getOrDefault(collector, Long.MAX_VALUE)
                && id <= windowUpTo.getOrDefault(collector, Long.MAX_VALUE)) {
            long used = 0;
            for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
            peakBytes = Math.max(peakBytes, used);
            collections++;
        }
        delivered.merge(collector, id, Math::max);
        notifyAll();
    }

    @Override
    public void close() throws ListenerNotFoundException {
        for (GarbageCollectorMXBean collector : collectors) {
            ((NotificationEmitter) collector).removeNotificationListener(this);
        }
    }

    /** The most heap used after a collection in a window, and how many collections there were. */
    record Peak(long bytes, int collections) {}
}
