package io.goim.proto.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes a Netty leak report a test failure (house style): every leak detector records what it
 * reports, and after each test class the garbage is collected, buffers are allocated so that the
 * detectors look at it, and the class fails when anything was reported. Registered for every test
 * class through JUnit's extension auto-detection (META-INF/services, junit-platform.properties).
 */
public final class NettyLeaks implements AfterAllCallback {
    private static final List<String> reports = new ArrayList<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (int i = 0; i < 3; i++) {
            System.gc();
            // detectors report collected leaks when the next tracked resource is created
            release(PooledByteBufAllocator.DEFAULT.buffer(1));
            release(UnpooledByteBufAllocator.DEFAULT.buffer(1));
        }
        List<String> found;
        synchronized (reports) {
            found = List.copyOf(reports);
            reports.clear();
        }
        if (!found.isEmpty()) {
            throw new AssertionError("Netty reported " + found.size() + " leak(s) by the end of "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", found));
        }
    }

    private static void release(ByteBuf buffer) {
        buffer.release();
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    record("LEAK: " + resourceType + records);
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    record("LEAK: " + resourceType + " (untraced)");
                    super.reportUntracedLeak(resourceType);
                }
            };
        }
    }

    private static void record(String report) {
        synchronized (reports) {
            reports.add(report);
        }
    }
}
