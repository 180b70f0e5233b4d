package io.goim.proto.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The TCP frame decoder against any byte stream, cut anywhere (issue 14), in an {@link
 * EmbeddedChannel} as comet runs it: the frames it yields are exactly those a plain reading of goim's
 * rules finds in the whole stream, however the stream is cut; the only exception that leaves it is
 * its own {@link FrameDecodeException}, where that reading finds the same broken rule; it never holds
 * more than about a frame and a read; and every buffer is released once the connection closes.
 *
 * <p>{@code ./mvnw verify} fuzzes it for a bounded time (goim-proto's pom, execution {@code
 * fuzz-tcp-frames}); regression inputs are in {@code FrameDecoderFuzzTestInputs}; docs/security.md
 * has the command for a longer run.
 */
class FrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void decodesAnyStreamCutAnywhereAsGoimReadsIt(FuzzedDataProvider data) {
        int maxPackLength = Frame.HEADER_LENGTH + data.consumeInt(0, 300);
        List<byte[]> chunks = new ArrayList<>();
        int pieces = data.consumeInt(1, 16);
        for (int i = 0; i < pieces - 1 && data.remainingBytes() > 0; i++) {
            chunks.add(data.consumeBytes(data.consumeInt(0, 96)));
        }
        chunks.add(data.consumeRemainingAsBytes());

        Expected expected = Expected.read(concat(chunks), maxPackLength);

        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(maxPackLength));
        channel.config().setAllocator(alloc);
        List<ByteBuf> inputs = new ArrayList<>();
        List<String> frames = new ArrayList<>();
        FrameError error = null;
        int largestChunk = 0;
        for (byte[] chunk : chunks) {
            largestChunk = Math.max(largestChunk, chunk.length);
            ByteBuf in = Unpooled.wrappedBuffer(chunk);
            inputs.add(in);
            try {
                channel.writeInbound(in);
            } catch (FrameDecodeException e) {
                error = e.error();
            }
            for (Frame frame; (frame = channel.readInbound()) != null; ) {
                frames.add(describe(frame));
                assertThat(frame.packLength()).isBetween(Frame.HEADER_LENGTH, maxPackLength);
                frame.release();
            }
            // what waits for the rest of a frame: less than a frame, plus the read that came with it, in
            // a cumulation that grows in powers of two and keeps read bytes until it discards them
            assertThat(alloc.metric().usedHeapMemory())
                    .as("bytes held while decoding")
                    .isLessThanOrEqualTo(4L * (maxPackLength + largestChunk) + 1024);
            if (error != null) {
                break; // comet closes the connection on a bad frame
            }
        }
        channel.finishAndReleaseAll();

        assertThat(frames).isEqualTo(expected.frames());
        assertThat(error).isEqualTo(expected.error());
        // an empty chunk wraps to Unpooled.EMPTY_BUFFER, which is never released
        assertThat(inputs)
                .allSatisfy(in -> assertThat(in.refCnt() == 0 || in == Unpooled.EMPTY_BUFFER)
                        .as("input released")
                        .isTrue());
        assertThat(alloc.metric().usedHeapMemory()).as("buffers left").isZero();
        assertThat(alloc.metric().usedDirectMemory()).as("buffers left").isZero();
    }

    private static String describe(Frame frame) {
        return frame.ver() + "/" + frame.op() + "/" + frame.seq() + "/" + ByteBufUtil.hexDump(frame.content());
    }

    private static byte[] concat(List<byte[]> chunks) {
        int length = chunks.stream().mapToInt(c -> c.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, all, at, chunk.length);
            at += chunk.length;
        }
        return all;
    }

    /** goim's rules (contract section 2, and packLen at least 16) read straight off the whole stream. */
    private record Expected(List<String> frames, FrameError error) {
        static Expected read(byte[] stream, int maxPackLength) {
            List<String> frames = new ArrayList<>();
            int at = 0;
            while (stream.length - at >= Frame.HEADER_LENGTH) {
                int packLength = int32(stream, at);
                int headerLength = (short) ((stream[at + 4] & 0xff) << 8 | stream[at + 5] & 0xff);
                if (packLength < 0) {
                    return new Expected(frames, FrameError.PACK_LENGTH_NEGATIVE);
                }
                if (packLength < Frame.HEADER_LENGTH) {
                    return new Expected(frames, FrameError.PACK_LENGTH_TOO_SMALL);
                }
                if (packLength > maxPackLength) {
                    return new Expected(frames, FrameError.PACK_LENGTH_TOO_LARGE);
                }
                if (headerLength != Frame.HEADER_LENGTH) {
                    return new Expected(frames, FrameError.HEADER_LENGTH);
                }
                if (stream.length - at < packLength) {
                    break;
                }
                int ver = (short) ((stream[at + 6] & 0xff) << 8 | stream[at + 7] & 0xff);
                byte[] body = Arrays.copyOfRange(stream, at + Frame.HEADER_LENGTH, at + packLength);
                frames.add(ver + "/" + int32(stream, at + 8) + "/" + int32(stream, at + 12) + "/"
                        + ByteBufUtil.hexDump(body));
                at += packLength;
            }
            return new Expected(frames, null);
        }

        private static int int32(byte[] b, int at) {
            return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
        }
    }
}
