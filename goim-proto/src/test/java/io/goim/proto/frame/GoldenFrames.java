package io.goim.proto.frame;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Reads the golden frames under src/test/resources/frames: hex bytes, '#' starts a comment line. */
final class GoldenFrames {
    private GoldenFrames() {}

    static byte[] load(String name) {
        try (InputStream in = GoldenFrames.class.getResourceAsStream("/frames/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden frame " + name);
            }
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.startsWith("#")) {
                    hex.append(line.replaceAll("\\s", ""));
                }
            }
            return HexFormat.of().parseHex(hex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
