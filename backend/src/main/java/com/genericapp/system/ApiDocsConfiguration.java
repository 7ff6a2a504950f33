package com.genericapp.system;

import java.math.BigDecimal;
import java.util.List;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What {@code /v3/api-docs} says beyond the controllers' own signatures: the session
 * security scheme (and the CSRF header changes need), the problem+json answers every
 * operation can give, and tags by feature. The rules themselves live in the identity
 * package and {@link ApiExceptionHandler}; this describes them (docs/IDENTITY.md).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsConfiguration {

    static final String SESSION = "session";

    static final String CSRF = "csrf";

    private static final String PROBLEM = "#/components/schemas/Problem";

    private static final String HEADERS = "#/components/headers/";

    @Bean
    OpenAPI apiDescription() {
        return new OpenAPI()
            .info(new Info().title("generic-app API")
                .description("Items with live change events, behind users, roles and sessions (docs/IDENTITY.md).")
                .version("1")
                .contact(new io.swagger.v3.oas.models.info.Contact().name("generic-app maintainers (README.md)")))
            // Relative: the origin the description is read from. Clients outside reach
            // the API
            // only through Nginx, over HTTPS (production and the local compose stack
            // alike).
            .servers(List.of(new Server().url("/")
                .description("This deployment (production, staging or local), through Nginx over HTTPS")
                .extensions(java.util.Map.of("x-internal", false))))
            .components(new Components()
                .addSecuritySchemes(SESSION,
                        new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                            .in(SecurityScheme.In.COOKIE)
                            .name("SESSION")
                            .description("The session cookie that POST /api/session sets (HttpOnly)."))
                .addSecuritySchemes(CSRF,
                        new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                            .in(SecurityScheme.In.HEADER)
                            .name("X-XSRF-TOKEN")
                            .description("On every change: the value of the XSRF-TOKEN cookie.")))
            .tags(List.of(new Tag().name("items").description("Items, their listing, export and live events"),
                    new Tag().name("session").description("Signing in and out"),
                    new Tag().name("users").description("User management (admin)")));
    }

    /** RFC 9457, as every error of the API and of Nginx is written. */
    private static Schema<?> problemSchema() {
        Schema<?> fieldError = new ObjectSchema()
            .addProperty("field",
                    new StringSchema().maxLength(100).pattern("^[A-Za-z][A-Za-z0-9_.\\[\\]-]*$").example("name"))
            .addProperty("message", new StringSchema().maxLength(500).example("must not be blank"));
        return new ObjectSchema().description("RFC 9457 problem details")
            .addProperty("type", new StringSchema().format("uri-reference").maxLength(200).example("about:blank"))
            .addProperty("title", new StringSchema().maxLength(200).example("Invalid request"))
            .addProperty("status",
                    new IntegerSchema().minimum(BigDecimal.valueOf(400)).maximum(BigDecimal.valueOf(599)))
            .addProperty("detail", new StringSchema().maxLength(1000))
            .addProperty("instance", new StringSchema().format("uri-reference").maxLength(2000).example("/api/items"))
            .addProperty("errors", new ArraySchema().items(fieldError).maxItems(100))
            .addProperty(TraceIds.PROBLEM_PROPERTY, new StringSchema()
                .description("The W3C trace id the request was served under, also sent as the " + TraceIds.HEADER
                        + " header: quote it when reporting the error (docs/OBSERVABILITY.md)")
                .minLength(32)
                .maxLength(32)
                .pattern("^[0-9a-f]{32}$")
                .example("4bf92f3577b34da6a3ce929d0e0e4736"));
    }

    /**
     * Security, error answers and tags on every operation, from its path and method; and
     * the problem schema they name (springdoc keeps only the schemas it builds itself in
     * the description bean).
     */
    @Bean
    OpenApiCustomizer problemsAndSecurity() {
        return (api) -> {
            api.getComponents().addSchemas("Problem", problemSchema());
            rateLimitHeaders().forEach(api.getComponents()::addHeaders);
            api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                boolean signIn = path.equals("/api/session") && method == PathItem.HttpMethod.POST;
                boolean unsafe = method != PathItem.HttpMethod.GET && method != PathItem.HttpMethod.HEAD;
                describe(path, method, operation, signIn, unsafe);
            }));
        };
    }

    private static void describe(String path, PathItem.HttpMethod method, Operation operation, boolean signIn,
            boolean unsafe) {
        String feature = path.startsWith("/api/users") ? "users"
                : path.startsWith("/api/session") ? "session" : "items";
        operation.setTags(List.of(feature));
        if (signIn) {
            operation.setSecurity(List.of());
        }
        else if (unsafe) {
            operation.setSecurity(List.of(new SecurityRequirement().addList(SESSION).addList(CSRF)));
        }
        else {
            operation.setSecurity(List.of(new SecurityRequirement().addList(SESSION)));
        }
        ApiResponses responses = (operation.getResponses() != null) ? operation.getResponses() : new ApiResponses();
        if (unsafe || path.contains("{")
                || (operation.getParameters() != null && !operation.getParameters().isEmpty())) {
            problem(responses, "400", "Invalid input: the problem names each field and why (errors)");
        }
        if (signIn) {
            problem(responses, "401", "Wrong username or password (the same answer for both)");
            problem(responses, "429", "Too many failed sign-ins: wait Retry-After seconds");
        }
        else {
            problem(responses, "401", "Not signed in, or the session ended");
            problem(responses, "403", "The role does not allow this, or a change lacks the X-XSRF-TOKEN header");
        }
        if (path.contains("{")) {
            problem(responses, "404", "No such " + (feature.equals("users") ? "user" : "item"));
        }
        if (unsafe && !signIn) {
            problem(responses, "429",
                    "Too many changes from this client in a short time: the API's limit (with the RateLimit"
                            + " fields) or Nginx's in front of it (Retry-After only)");
        }
        if (feature.equals("users") && unsafe) {
            problem(responses, "409", "The username is taken, or the change would leave no admin");
        }
        if (feature.equals("items") && path.contains("{") && unsafe) {
            problem(responses, "412", "If-Match names a version that is no longer the item's");
        }
        if (unsafe) {
            problem(responses, "413", "The body is too large");
            problem(responses, "415", "The body is not application/json");
        }
        problem(responses, "503", "The database is unreachable right now: retry after Retry-After seconds");
        problem(responses, "500", "An unexpected failure (never a stack trace or SQL)");
        responses.forEach((status, response) -> {
            if (status.equals("429") || status.equals("503")) {
                response.addHeaderObject("Retry-After", new Header().$ref(HEADERS + "Retry-After"));
            }
            // identity/RateLimits counts every change, before anything else answers
            if (unsafe && (status.startsWith("2") || status.startsWith("4"))) {
                response.addHeaderObject("RateLimit", new Header().$ref(HEADERS + "RateLimit"));
                response.addHeaderObject("RateLimit-Policy", new Header().$ref(HEADERS + "RateLimit-Policy"));
            }
        });
        operation.setResponses(responses);
    }

    /**
     * The fields identity/RateLimits sends on every answer to a change
     * (draft-ietf-httpapi-ratelimit-headers), and Retry-After.
     */
    private static java.util.Map<String, Header> rateLimitHeaders() {
        return java.util.Map.of("RateLimit", new Header()
            .description("Where this client stands in its bucket on this API instance: r requests left, t seconds"
                    + " until the bucket is full again")
            .schema(new StringSchema().maxLength(64)
                .pattern("^\"(writes|sign-in)\";r=[0-9]+;t=[0-9]+$")
                .example("\"writes\";r=39;t=1")), "RateLimit-Policy",
                new Header().description("The limit: a burst of q requests per client, refilled in w seconds"
                        + " (writes: 20 a second, burst 40; sign-in: 60 a minute, burst 30; settings)."
                        + " Nginx in front is stricter: 10 writes a second, burst 20; 30 sign-ins a minute, burst 20")
                    .schema(new StringSchema().maxLength(64)
                        .pattern("^\"(writes|sign-in)\";q=[0-9]+;w=[0-9]+$")
                        .example("\"writes\";q=40;w=2")),
                "Retry-After", new Header().description("Seconds to wait before trying again")
                    .schema(new IntegerSchema().minimum(BigDecimal.ONE).maximum(BigDecimal.valueOf(86400)).example(5)));
    }

    private static void problem(ApiResponses responses, String status, String description) {
        if (responses.containsKey(status)) {
            return;
        }
        responses.addApiResponse(status,
                new ApiResponse().description(description)
                    .content(new Content().addMediaType("application/problem+json",
                            new MediaType().schema(new Schema<>().$ref(PROBLEM)))));
    }

}
