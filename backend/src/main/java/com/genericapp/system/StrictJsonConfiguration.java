package com.genericapp.system;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Request bodies are read strictly: {@code "name": 42} or {@code "name": true} is a wrong
 * type, not a name of "42". Jackson would otherwise coerce scalars into strings. Unknown
 * fields are refused by {@code spring.jackson.deserialization.fail-on-unknown-properties}
 * in application.yaml. A body must also be one unambiguous value: a key sent twice
 * ({@code "name"} twice, where Jackson would keep the last) and anything after the object
 * ({@code {…} {…}}, {@code {…} x}) are refused as malformed. Spring's decoder joins a
 * single-value body and reads it with this mapper, so the trailing-token check sees the
 * whole body (ItemBadInputTests proves both).
 */
@Configuration(proxyBeanMethods = false)
class StrictJsonConfiguration {

    @Bean
    JsonMapperBuilderCustomizer noScalarCoercion() {
        return (builder) -> builder.withCoercionConfig(LogicalType.Textual,
                (config) -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    @Bean
    JsonMapperBuilderCustomizer oneUnambiguousValue() {
        return (builder) -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

}
