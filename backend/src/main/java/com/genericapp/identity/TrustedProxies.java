package com.genericapp.identity;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * What the API believes about where a request came from. {@code X-Forwarded-Proto} and
 * {@code X-Forwarded-For} are believed only from a peer in {@code TRUSTED_PROXIES} (CIDR
 * list; by default loopback and the private ranges, where the compose network's Nginx
 * is): from anyone else they are ignored, so a client cannot claim HTTPS or another
 * address.
 */
@Component
class TrustedProxies {

    private final List<Cidr> trusted = new ArrayList<>();

    TrustedProxies(@Value("${identity.trusted-proxies}") String cidrs) {
        for (String cidr : cidrs.split(",")) {
            if (!cidr.isBlank()) {
                this.trusted.add(Cidr.parse(cidr.strip()));
            }
        }
    }

    /** Whether the client reached the edge over HTTPS (a cookie must then be Secure). */
    boolean secure(ServerHttpRequest request) {
        if (request.getSslInfo() != null) {
            return true;
        }
        return fromTrustedProxy(request)
                && "https".equalsIgnoreCase(request.getHeaders().getFirst("X-Forwarded-Proto"));
    }

    /**
     * The client's address: the last hop of {@code X-Forwarded-For} (the one the trusted
     * proxy added) when the peer is trusted, else the peer.
     */
    String client(ServerHttpRequest request) {
        String peer = peer(request);
        if (peer != null && fromTrustedProxy(request)) {
            String forwarded = request.getHeaders().getFirst("X-Forwarded-For");
            if (forwarded != null && !forwarded.isBlank()) {
                String last = forwarded.substring(forwarded.lastIndexOf(',') + 1).strip();
                if (!last.isEmpty() && last.length() <= 45) {
                    return last;
                }
            }
        }
        return (peer != null) ? peer : "unknown";
    }

    private boolean fromTrustedProxy(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        InetAddress address = (remote != null) ? remote.getAddress() : null;
        return address != null && this.trusted.stream().anyMatch((cidr) -> cidr.contains(address));
    }

    private static @Nullable String peer(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress() : null;
    }

    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            try {
                // only literal addresses: getByName on a literal does no DNS look-up
                if (!text.matches("[0-9a-fA-F:./]+")) {
                    throw new UnknownHostException(text);
                }
                byte[] network = InetAddress.getByName((slash < 0) ? text : text.substring(0, slash)).getAddress();
                int prefix = (slash < 0) ? network.length * 8 : Integer.parseInt(text.substring(slash + 1));
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new NumberFormatException(text);
                }
                return new Cidr(network, prefix);
            }
            catch (UnknownHostException | NumberFormatException ex) {
                throw new IllegalArgumentException(
                        "TRUSTED_PROXIES holds '" + text + "', which is not an address or CIDR range", ex);
            }
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != this.network.length) {
                return false;
            }
            int full = this.prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != this.network[i]) {
                    return false;
                }
            }
            int rest = this.prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (bytes[full] & mask) == (this.network[full] & mask);
        }

    }

}
