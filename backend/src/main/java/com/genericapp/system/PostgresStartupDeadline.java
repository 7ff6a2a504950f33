package com.genericapp.system;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a PostgreSQL connection that is not ready for queries within the deadline: TCP
 * connect, TLS, start-up and authentication together. Reads nothing itself: it watches
 * the server's message frames (a type byte and a length) go by until the first
 * ReadyForQuery ({@code 'Z'}), then removes itself, so an established connection carries
 * no cost and no timer.
 */
final class PostgresStartupDeadline extends ChannelInboundHandlerAdapter {

    static final String NAME = "genericapp.postgresStartupDeadline";

    private static final byte READY_FOR_QUERY = 'Z';

    private static final Logger logger = LoggerFactory.getLogger(PostgresStartupDeadline.class);

    private final long deadlineMillis;

    private @Nullable ScheduledFuture<?> deadline;

    /** The frame header being read: type byte and 4-byte length. */
    private final byte[] header = new byte[5];

    private int headerBytes;

    /** Bytes of the current frame's body still to pass. */
    private long bodyBytes;

    private boolean ready;

    PostgresStartupDeadline(Duration deadline) {
        this.deadlineMillis = deadline.toMillis();
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        this.deadline = ctx.executor().schedule(() -> {
            if (!this.ready && ctx.channel().isOpen()) {
                logger.warn("PostgreSQL connection to {} not ready within {} ms: closing it",
                        ctx.channel().remoteAddress(), this.deadlineMillis);
                ctx.close();
            }
        }, this.deadlineMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            scan(bytes);
        }
        ctx.fireChannelRead(msg);
        if (this.ready) {
            cancelDeadline();
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    private void scan(ByteBuf bytes) {
        int index = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (index < end && !this.ready) {
            if (this.bodyBytes > 0) {
                int skipped = (int) Math.min(this.bodyBytes, end - index);
                index += skipped;
                this.bodyBytes -= skipped;
                continue;
            }
            this.header[this.headerBytes++] = bytes.getByte(index++);
            if (this.headerBytes == this.header.length) {
                this.headerBytes = 0;
                long length = ((this.header[1] & 0xFFL) << 24) | ((this.header[2] & 0xFFL) << 16)
                        | ((this.header[3] & 0xFFL) << 8) | (this.header[4] & 0xFFL);
                // the length counts itself, not the type byte
                this.bodyBytes = length - 4;
                this.ready = this.header[0] == READY_FOR_QUERY;
            }
        }
    }

    private void cancelDeadline() {
        ScheduledFuture<?> scheduled = this.deadline;
        if (scheduled != null) {
            scheduled.cancel(false);
            this.deadline = null;
        }
    }

}
