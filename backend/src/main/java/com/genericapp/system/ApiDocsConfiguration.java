package com.genericapp.system;

import java.math.BigDecimal;
import java.util.List;

import io.swagger.v3.oas.models.Components;
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

    @Bean
    OpenAPI apiDescription() {
        return new OpenAPI()
            .info(new Info().title("generic-app API")
                .description("Items with live change events, behind users, roles and sessions (docs/IDENTITY.md).")
                .version("1"))
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
        Schema<?> fieldError = new ObjectSchema().addProperty("field", new StringSchema().maxLength(100))
            .addProperty("message", new StringSchema().maxLength(500));
        return new ObjectSchema().description("RFC 9457 problem details")
            .addProperty("type", new StringSchema().maxLength(200).example("about:blank"))
            .addProperty("title", new StringSchema().maxLength(200).example("Invalid request"))
            .addProperty("status",
                    new IntegerSchema().minimum(BigDecimal.valueOf(400)).maximum(BigDecimal.valueOf(599)))
            .addProperty("detail", new StringSchema().maxLength(1000))
            .addProperty("instance", new StringSchema().maxLength(2000))
            .addProperty("errors", new ArraySchema().items(fieldError).maxItems(100));
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
            problem(responses, "429", "Too many changes from this client in a short time (Nginx)");
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
        operation.setResponses(responses);
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
