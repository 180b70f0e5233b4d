package io.goim.logic.web;

import io.goim.logic.config.LogicProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;

/** The push API's cases through WebFlux's controller ({@code goim.logic.api.direct-push=false}). */
@WebFluxTest(
        controllers = PushController.class,
        properties = {"goim.logic.limits.max-targets=3", "goim.logic.limits.max-body=1KB"})
@Import({PushBody.class, PushRequests.class, ApiKeys.class, TestMeters.class})
@EnableConfigurationProperties(LogicProperties.class)
class PushControllerTest extends PushApiCases {}
