package io.goim.proto.testclient;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A TCP client that speaks goim's frames back to back on the stream, as goim's Go clients do. */
public final class TcpClient extends GoimClient {
    private final Socket socket;
    private volatile boolean closed;

    private TcpClient(Socket socket, BlockingQueue<Received> received) {
        super(received);
        this.socket = socket;
    }

    public static TcpClient connect(int port) {
        return connect(port, true);
    }

    /** With {@code reading} false nothing is read: a client too slow to take what is pushed. */
    public static TcpClient connect(int port, boolean reading) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            TcpClient client = new TcpClient(socket, new LinkedBlockingQueue<>());
            if (reading) {
                Thread.ofPlatform().daemon().name("tcp-client-reader").start(client::read);
            }
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int packLength = in.readInt();
                in.readShort();
                int ver = in.readShort();
                int op = in.readInt();
                int seq = in.readInt();
                byte[] body = new byte[Math.max(0, packLength - 16)];
                in.readFully(body);
                received.add(new Received(ver, op, seq, body, System.nanoTime()));
            }
        } catch (EOFException e) {
            closed = true;
        } catch (IOException e) {
            closed = true;
        }
    }

    @Override
    protected void sendBytes(byte[] frame) {
        try {
            socket.getOutputStream().write(frame);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends raw bytes, e.g. a broken header. */
    public void sendRaw(byte[] bytes) {
        sendBytes(bytes);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
