package com.genericapp.system;

import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Request bodies are read strictly: {@code "name": 42} or {@code "name": true} is a wrong type, not a
 * name of "42". Jackson would otherwise coerce scalars into strings. Unknown fields are refused by
 * {@code spring.jackson.deserialization.fail-on-unknown-properties} in application.yaml.
 */
@Configuration(proxyBeanMethods = false)
class StrictJsonConfiguration {

    @Bean
    JsonMapperBuilderCustomizer noScalarCoercion() {
        return (builder) -> builder.withCoercionConfig(LogicalType.Textual, (config) -> config
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

}
