package io.goim.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The process CPU time of services, read from their {@code /actuator/prometheus}
 * ({@code process_cpu_time_ns_total}, Micrometer's {@code process.cpu.time}), or for a process
 * without one (the bare broadcast server) given as {@code pid:N}, from Linux's {@code
 * /proc/N/stat}: the CPU a run cost a service is the difference of two readings, whatever else
 * shares the machine.
 */
final class ServiceCpu {
    private static final String CPU = "process_cpu_time_ns_total";

    private final Map<String, URI> services;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** {@code spec}: {@code name=url,name=pid:N,...}; empty for none. */
    ServiceCpu(String spec) {
        this.services = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected name=url in --cpu, got: " + part);
            }
            services.put(
                    part.substring(0, eq).trim(),
                    URI.create(part.substring(eq + 1).trim()));
        }
    }

    boolean isEmpty() {
        return services.isEmpty();
    }

    /** CPU nanoseconds per service so far; a service that does not answer is left out. */
    Map<String, Long> read() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        services.forEach((name, uri) -> {
            try {
                Double value =
                        "pid".equals(uri.getScheme()) ? procCpuNanos(uri.getSchemeSpecificPart()) : metric(uri, CPU);
                if (value != null) {
                    cpu.put(name, value.longValue());
                }
            } catch (IOException e) {
                System.err.printf("cannot read %s from %s: %s%n", CPU, uri, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return cpu;
    }

    /** utime + stime of a Linux process, in clock ticks of 10 ms (USER_HZ 100). */
    private static Double procCpuNanos(String pid) throws IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "stat"));
        // the fields after the command name, which is in parentheses and may hold spaces
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 10_000_000.0;
    }

    /** A metric's value (summed over its label sets), or null when the page has none. */
    Double metric(URI uri, String name) throws IOException, InterruptedException {
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return sum(page.body(), name);
    }

    static Double sum(String page, String name) {
        Double total = null;
        for (String line : page.split("\n")) {
            if (!line.startsWith(name) || line.length() <= name.length()) {
                continue;
            }
            char next = line.charAt(name.length());
            if (next != ' ' && next != '{') {
                continue;
            }
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            total = total == null ? value : total + value;
        }
        return total;
    }

    /** {@code after - before} per service, in nanoseconds. */
    static Map<String, Long> spent(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> spent = new LinkedHashMap<>();
        before.forEach((name, at) -> {
            Long end = after.get(name);
            if (end != null) {
                spent.put(name, end - at);
            }
        });
        return spent;
    }
}
