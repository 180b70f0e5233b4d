package io.goim.comet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The house layout as rules: goim's session model knows no Spring and no transport. */
class LayoutTest {
    private static final JavaClasses COMET = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.goim.comet");

    @Test
    void sessionUsesNoSpringAndNoTransport() {
        noClasses()
                .that()
                .resideInAPackage("io.goim.comet.session..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework..",
                        "io.netty.channel..",
                        "reactor.netty..",
                        "io.grpc..",
                        "io.goim.comet.transport..",
                        "io.goim.comet.rpc..")
                .check(COMET);
    }

    @Test
    void transportDoesNotReachIntoDiscovery() {
        noClasses()
                .that()
                .resideInAPackage("io.goim.comet.transport..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.goim.comet.discovery..", "com.netflix..")
                .check(COMET);
    }
}
