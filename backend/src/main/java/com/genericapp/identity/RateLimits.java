package com.genericapp.identity;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The API's own limits on changes, per client address and per instance: a token bucket
 * per client for every unsafe method under {@code /api} ({@code writes}) and one for
 * signing in ({@code sign-in}). Nginx's {@code limit_req} in front is stricter; these
 * hold for whoever reaches an instance directly, and let every such answer say where the
 * client stands, in the IETF RateLimit header fields
 * (draft-ietf-httpapi-ratelimit-headers): {@code RateLimit-Policy} (the quota {@code q}
 * per window {@code w} seconds: the burst, and the time the bucket takes to refill) and
 * {@code RateLimit} (the requests left {@code r}, and {@code t}, the seconds until the
 * bucket is full again). Past the limit: 429 problem with {@code Retry-After}. Reads are
 * not limited (nor are they by Nginx): they are bounded by page size and export slots.
 * Runs before Spring Security, so refusals (401, 403) count and carry the fields too.
 */
@Component
class RateLimits implements WebFilter, Ordered {

    /** Past this many tracked clients, full (idle) buckets are dropped. */
    private static final int SWEEP_ABOVE = 10_000;

    private final TrustedProxies proxies;

    private final IdentityProblems problems;

    private final Clock clock;

    private final Policy writes;

    private final Policy signIn;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    @Autowired
    RateLimits(TrustedProxies proxies, IdentityProblems problems,
            @Value("${identity.rate-limit.writes.per-second}") double writesPerSecond,
            @Value("${identity.rate-limit.writes.burst}") int writesBurst,
            @Value("${identity.rate-limit.sign-in.per-minute}") double signInsPerMinute,
            @Value("${identity.rate-limit.sign-in.burst}") int signInBurst) {
        this(proxies, problems, Clock.systemUTC(), new Policy("writes", writesPerSecond, writesBurst),
                new Policy("sign-in", signInsPerMinute / 60, signInBurst));
    }

    RateLimits(TrustedProxies proxies, IdentityProblems problems, Clock clock, Policy writes, Policy signIn) {
        this.proxies = proxies;
        this.problems = problems;
        this.clock = clock;
        this.writes = writes;
        this.signIn = signIn;
    }

    /** A bucket of {@code burst} requests, refilled at {@code perSecond}. */
    record Policy(String name, double perSecond, int burst) {

        Policy {
            if (perSecond <= 0 || burst < 1) {
                throw new IllegalArgumentException("rate limit '" + name + "' needs a positive rate and burst");
            }
        }

        /** The seconds an empty bucket takes to fill. */
        long window() {
            return (long) Math.ceil(this.burst / this.perSecond);
        }

        String header() {
            return "\"" + this.name + "\";q=" + this.burst + ";w=" + window();
        }

    }

    private static final class Bucket {

        private double tokens;

        private long updatedNanos;

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.updatedNanos = now;
        }

    }

    /** One request's outcome: allowed or not, requests left, seconds to full, to next. */
    private record Outcome(boolean allowed, long remaining, long secondsToFull, long secondsToNext) {
    }

    @Override
    public int getOrder() {
        // after the request log (which then logs a 429 too), before Spring Security
        // (-100)
        return -200;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String path = request.getPath().pathWithinApplication().value();
        if (isSafe(request.getMethod()) || !(path.equals("/api") || path.startsWith("/api/"))) {
            return chain.filter(exchange);
        }
        Policy policy = (path.equals("/api/session") && request.getMethod() == HttpMethod.POST) ? this.signIn
                : this.writes;
        Outcome outcome = take(policy, this.proxies.client(request));
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set("RateLimit-Policy", policy.header());
        headers.set("RateLimit",
                "\"" + policy.name() + "\";r=" + outcome.remaining() + ";t=" + outcome.secondsToFull());
        if (outcome.allowed()) {
            return chain.filter(exchange);
        }
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(outcome.secondsToNext()));
        return this.problems.write(exchange, HttpStatus.TOO_MANY_REQUESTS, "Too many requests",
                "Too many changes from this client in a short time. Try again in " + outcome.secondsToNext()
                        + " seconds.",
                Map.of());
    }

    private Outcome take(Policy policy, String client) {
        long now = nanos();
        if (this.buckets.size() > SWEEP_ABOVE) {
            sweep(now);
        }
        Bucket bucket = this.buckets.computeIfAbsent(policy.name() + " " + client,
                (key) -> new Bucket(policy.burst(), now));
        synchronized (bucket) {
            refill(bucket, policy, now);
            boolean allowed = bucket.tokens >= 1;
            if (allowed) {
                bucket.tokens -= 1;
            }
            long toFull = (long) Math.ceil((policy.burst() - bucket.tokens) / policy.perSecond());
            long toNext = Math.max(1, (long) Math.ceil((1 - bucket.tokens) / policy.perSecond()));
            return new Outcome(allowed, (long) Math.floor(bucket.tokens), toFull, toNext);
        }
    }

    private static void refill(Bucket bucket, Policy policy, long now) {
        double elapsed = (now - bucket.updatedNanos) / 1e9;
        bucket.tokens = Math.min(policy.burst(), bucket.tokens + elapsed * policy.perSecond());
        bucket.updatedNanos = now;
    }

    /** A bucket that has filled up again holds nothing worth keeping. */
    private void sweep(long now) {
        this.buckets.forEach((key, bucket) -> {
            Policy policy = key.startsWith(this.signIn.name() + " ") ? this.signIn : this.writes;
            synchronized (bucket) {
                refill(bucket, policy, now);
                if (bucket.tokens >= policy.burst()) {
                    this.buckets.remove(key, bucket);
                }
            }
        });
    }

    private long nanos() {
        java.time.Instant now = this.clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static boolean isSafe(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.TRACE;
    }

}
