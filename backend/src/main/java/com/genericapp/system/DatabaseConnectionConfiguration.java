package com.genericapp.system;

import java.time.Duration;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import jdk.net.ExtendedSocketOptions;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpResources;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Bounds on every connection to PostgreSQL, pooled or not (the change listener's too).
 *
 * <p>
 * The driver's {@code connectTimeout} bounds only the TCP connect. A server (or a proxy,
 * or a half-dead network path) that accepts the connection and then never finishes the
 * start-up and authentication exchange would hold the attempt, and its socket, for ever:
 * the pool's create timeout abandons the attempt but nothing closes the socket
 * (r2dbc-pool#165 fixed this only for attempts that complete). So every socket the driver
 * opens gets a {@link PostgresStartupDeadline}: it closes the socket unless the server
 * said ReadyForQuery in time, which fails the attempt and frees its file descriptor
 * whatever happened to the subscriber.
 *
 * <p>
 * Established connections that go half-open (the peer vanished without a FIN or RST) are
 * found by TCP keepalive with short timers, and, on Linux's native transport, by
 * TCP_USER_TIMEOUT for data that is never acknowledged. Queries carry their own timeouts
 * (ItemRepository) and the change listener probes its connection (ItemEvents).
 *
 * <p>
 * The sockets keep running on Reactor Netty's shared event loops, exactly as without this
 * class: only the channel factory is decorated. Those loops are colocated for clients by
 * default: a connection opened from one of their threads stays on that thread, which can
 * put every pooled connection on one loop (r2dbc-pool#190).
 * {@code database.colocated-loops=false} spreads new connections over the loops instead;
 * bench/ab-loops measures both (docs/PERFORMANCE.md).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConnectionConfiguration {

    @Bean
    ConnectionFactoryOptionsBuilderCustomizer boundedDatabaseConnections(
            @Value("${database.setup-timeout:3s}") Duration setupTimeout,
            @Value("${database.colocated-loops:true}") boolean colocated) {
        LoopResources loops = new DeadlineLoopResources(TcpResources.get(), setupTimeout, colocated);
        return (options) -> options.option(PostgresqlConnectionFactoryProvider.LOOP_RESOURCES, loops)
            .option(PostgresqlConnectionFactoryProvider.TCP_KEEPALIVE, true);
    }

    /**
     * Reactor Netty's loops, with a start-up deadline and keepalive timers on every TCP
     * channel.
     */
    static final class DeadlineLoopResources implements LoopResources {

        /**
         * Idle seconds before the first keepalive probe, seconds between probes, probes
         * before giving up.
         */
        private static final int KEEPALIVE_IDLE = 10;

        private static final int KEEPALIVE_INTERVAL = 3;

        private static final int KEEPALIVE_COUNT = 3;

        /**
         * Unacknowledged data older than this drops the connection (native transport
         * only).
         */
        private static final int USER_TIMEOUT_MILLIS = 20_000;

        private static final ChannelOption<Integer> EPOLL_KEEPIDLE = ChannelOption
            .valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_KEEPIDLE");

        private static final ChannelOption<Integer> EPOLL_KEEPINTVL = ChannelOption
            .valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_KEEPINTVL");

        private static final ChannelOption<Integer> EPOLL_KEEPCNT = ChannelOption
            .valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_KEEPCNT");

        private static final ChannelOption<Integer> EPOLL_USER_TIMEOUT = ChannelOption
            .valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_USER_TIMEOUT");

        private final LoopResources loops;

        private final Duration setupTimeout;

        private final boolean colocated;

        DeadlineLoopResources(LoopResources loops, Duration setupTimeout, boolean colocated) {
            this.loops = loops;
            this.setupTimeout = setupTimeout;
            this.colocated = colocated;
        }

        @Override
        public <C extends Channel> C onChannel(Class<C> channelType, EventLoopGroup group) {
            C channel = this.loops.onChannel(channelType, group);
            if (channel instanceof SocketChannel) {
                channel.pipeline()
                    .addFirst(PostgresStartupDeadline.NAME, new PostgresStartupDeadline(this.setupTimeout));
                keepalive(channel);
            }
            return channel;
        }

        private static void keepalive(Channel channel) {
            channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
            if (channel.getClass().getName().startsWith("io.netty.channel.epoll.")) {
                channel.config().setOption(EPOLL_KEEPIDLE, KEEPALIVE_IDLE);
                channel.config().setOption(EPOLL_KEEPINTVL, KEEPALIVE_INTERVAL);
                channel.config().setOption(EPOLL_KEEPCNT, KEEPALIVE_COUNT);
                channel.config().setOption(EPOLL_USER_TIMEOUT, USER_TIMEOUT_MILLIS);
            }
            else {
                channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE);
                channel.config()
                    .setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL);
                channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_COUNT);
            }
        }

        @Override
        public <C extends Channel> Class<? extends C> onChannelClass(Class<C> channelType, EventLoopGroup group) {
            return this.loops.onChannelClass(channelType, group);
        }

        @Override
        public EventLoopGroup onClient(boolean useNative) {
            // the server group is the same threads without the colocation wrapper: each
            // new
            // connection goes to the next loop
            return this.colocated ? this.loops.onClient(useNative) : this.loops.onServer(useNative);
        }

        @Override
        public EventLoopGroup onServer(boolean useNative) {
            return this.loops.onServer(useNative);
        }

        @Override
        public EventLoopGroup onServerSelect(boolean useNative) {
            return this.loops.onServerSelect(useNative);
        }

        @Override
        public boolean daemon() {
            return this.loops.daemon();
        }

        // the shared loops belong to Reactor Netty: the pool must not shut them down when
        // it closes
        @Override
        public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
            return Mono.empty();
        }

        @Override
        public Mono<Void> disposeLater() {
            return Mono.empty();
        }

        @Override
        public void dispose() {
        }

    }

}
