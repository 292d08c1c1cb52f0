package io.flinkpersist;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.flinkpersist.persist.archfixture.CoreClassThatImportsFlink;
import org.junit.jupiter.api.Test;

/** The persist core is usable from plain Java: nothing under it may depend on Flink or on our Flink layer. */
@AnalyzeClasses(packages = "io.flinkpersist", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule CORE_DOES_NOT_IMPORT_FLINK = noClasses()
            .that().resideInAPackage("io.flinkpersist.persist..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "io.flinkpersist.flink..")
            .because("the persist core must work without Flink (see docs/architecture)");

    @Test
    void theRuleCatchesACoreClassThatImportsFlink() {
        assertThatThrownBy(() -> CORE_DOES_NOT_IMPORT_FLINK.check(
                        new ClassFileImporter().importClasses(CoreClassThatImportsFlink.class)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("CoreClassThatImportsFlink")
                .hasMessageContaining("org.apache.flink.api.common.functions.MapFunction");
    }
}
