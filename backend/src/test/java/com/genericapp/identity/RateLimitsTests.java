package com.genericapp.identity;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's own write and sign-in limits, on a clock the test moves: the RateLimit fields
 * say what is left, a change past the burst is a 429 problem with Retry-After, time
 * refills the bucket, and reads are never counted.
 */
class RateLimitsTests {

    private final MovableClock clock = new MovableClock();

    private final RateLimits limits = new RateLimits(new TrustedProxies("127.0.0.0/8"),
            new IdentityProblems(JsonMapper.builder().build()), this.clock, new RateLimits.Policy("writes", 2, 3),
            new RateLimits.Policy("sign-in", 1.0 / 60, 2));

    @Test
    void changesPastTheBurstGetA429ProblemWithRetryAfterAndTheFieldsSayWhatIsLeft() {
        assertThat(send(HttpMethod.POST, "/api/items", "10.0.0.1").getResponse().getHeaders().getFirst("RateLimit"))
            .isEqualTo("\"writes\";r=2;t=1");
        send(HttpMethod.PUT, "/api/items/1", "10.0.0.1");
        MockServerWebExchange third = send(HttpMethod.DELETE, "/api/items/1", "10.0.0.1");
        assertThat(third.getResponse().getStatusCode()).isNull(); // passed on
        assertThat(third.getResponse().getHeaders().getFirst("RateLimit")).isEqualTo("\"writes\";r=0;t=2");
        assertThat(third.getResponse().getHeaders().getFirst("RateLimit-Policy")).isEqualTo("\"writes\";q=3;w=2");

        MockServerWebExchange refused = send(HttpMethod.POST, "/api/items", "10.0.0.1");
        assertThat(refused.getResponse().getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(refused.getResponse().getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(refused.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(refused.getResponse().getHeaders().getFirst("RateLimit")).isEqualTo("\"writes\";r=0;t=2");
        assertThat(refused.getResponse().getBodyAsString().block()).contains("\"status\":429")
            .contains("\"title\":\"Too many requests\"");

        // another client has a bucket of its own
        assertThat(send(HttpMethod.POST, "/api/items", "10.0.0.2").getResponse().getStatusCode()).isNull();

        this.clock.advance(Duration.ofMillis(500)); // one token back at 2 a second
        assertThat(send(HttpMethod.POST, "/api/items", "10.0.0.1").getResponse().getStatusCode()).isNull();
        assertThat(send(HttpMethod.POST, "/api/items", "10.0.0.1").getResponse().getStatusCode())
            .isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
    }

    @Test
    void signingInHasItsOwnSlowerBucket() {
        send(HttpMethod.POST, "/api/session", "10.0.0.3");
        MockServerWebExchange second = send(HttpMethod.POST, "/api/session", "10.0.0.3");
        assertThat(second.getResponse().getHeaders().getFirst("RateLimit-Policy")).isEqualTo("\"sign-in\";q=2;w=120");
        assertThat(second.getResponse().getHeaders().getFirst("RateLimit")).isEqualTo("\"sign-in\";r=0;t=120");
        MockServerWebExchange refused = send(HttpMethod.POST, "/api/session", "10.0.0.3");
        assertThat(refused.getResponse().getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(refused.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("60");
        // signing out is a change like any other, in the writes bucket
        assertThat(send(HttpMethod.DELETE, "/api/session", "10.0.0.3").getResponse().getStatusCode()).isNull();
    }

    @Test
    void readsAndPathsOutsideTheApiAreNeverCounted() {
        for (int i = 0; i < 10; i++) {
            MockServerWebExchange read = send(HttpMethod.GET, "/api/items", "10.0.0.4");
            assertThat(read.getResponse().getStatusCode()).isNull();
            assertThat(read.getResponse().getHeaders().containsHeader("RateLimit")).isFalse();
            assertThat(send(HttpMethod.POST, "/actuator/anything", "10.0.0.4").getResponse()
                .getHeaders()
                .containsHeader("RateLimit")).isFalse();
        }
        assertThat(send(HttpMethod.POST, "/api/items", "10.0.0.4").getResponse().getHeaders().getFirst("RateLimit"))
            .isEqualTo("\"writes\";r=2;t=1");
    }

    private MockServerWebExchange send(HttpMethod method, String path, String client) {
        MockServerWebExchange exchange = MockServerWebExchange
            .from(MockServerHttpRequest.method(method, path).remoteAddress(new InetSocketAddress(client, 40000)));
        this.limits.filter(exchange, (passed) -> Mono.empty()).block(Duration.ofSeconds(5));
        return exchange;
    }

    private static final class MovableClock extends Clock {

        private Instant now = Instant.parse("2026-12-03T18:00:00Z");

        void advance(Duration duration) {
            this.now = this.now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return this.now;
        }

    }

}
